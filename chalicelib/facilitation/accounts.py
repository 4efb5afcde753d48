"""Facilitator accounts: an existing account linked by an admin to the facilitator whose
events it runs (role ``facilitator``), listed and unlinked again.

The link is one conditional UpdateItem of the user item: role and ``facilitator_id`` are set
together, refused for an admin (an admin stays an admin) and for an account already linked to
another facilitator (one facilitator per account). The caller's principal is built from the
user item on every request, so a link or an unlink applies from the next request on, to
tokens already handed out too. No route lets a facilitator change any account's role.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import auth, errors, facilitators, models, pagination
from chalicelib.transactions import condition_failed

_MEMBERS_KEY = pagination.key_names(models.User, models.User.by_facilitator)


class LinkedToAnotherFacilitator(errors.Conflict):
    code = "linked_to_another_facilitator"
    default_message = (
        "This account already runs another facilitator's events; unlink it there first."
    )


class AdminAccount(errors.Conflict):
    code = "admin_account"
    default_message = "This is an admin's account; an admin stays an admin."


class MemberNotFound(errors.NotFound):
    default_message = "No account with this id is linked to this facilitator."


def link(facilitator_id: str, email: str) -> dict[str, Any]:
    """Link the account with this email to the facilitator (again: no change)."""
    facilitators.find(facilitator_id)
    user = models.User(_user_id_of(email))
    try:
        user.update(
            actions=[
                models.User.role.set(models.ROLE_FACILITATOR),
                models.User.facilitator_id.set(facilitator_id),
            ],
            condition=models.User.user_id.exists()
            & (models.User.role != models.ROLE_ADMIN)
            & (
                models.User.facilitator_id.does_not_exist()
                | (models.User.facilitator_id == facilitator_id)
            ),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise _why_not_linked(user.user_id) from None
    return member_view(user)


def unlink(facilitator_id: str, user_id: str) -> dict[str, Any]:
    """The account goes back to an ordinary user's, if it is linked to THIS facilitator."""
    user = models.User(user_id)
    try:
        user.update(
            actions=[models.User.role.set(models.ROLE_USER), models.User.facilitator_id.remove()],
            condition=models.User.facilitator_id == facilitator_id,
        )
    except UpdateError as error:
        if condition_failed(error):
            raise MemberNotFound() from None
        raise
    return member_view(user)


def members(facilitator_id: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    """The accounts linked to a facilitator: one Query of the sparse ``by_facilitator``."""
    facilitators.find(facilitator_id)
    page = pagination.fetch_page(
        lambda size, key: models.User.by_facilitator.query(
            facilitator_id, page_size=size, last_evaluated_key=key
        ),
        models.User,
        _MEMBERS_KEY,
        limit,
        pagination.start_key(cursor, _MEMBERS_KEY, {"facilitator_id": facilitator_id}),
    )
    return {"members": [member_view(user) for user in page.items], "next_cursor": page.next_cursor}


def member_view(user: models.User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "name": user.name,
        "email": user.email,
        "facilitator_id": user.facilitator_id,
    }


def _user_id_of(email: str) -> str:
    try:
        credential = models.Credential.get(auth.normalize_email(email), consistent_read=True)
    except models.Credential.DoesNotExist:
        raise auth.AccountNotFound() from None
    return credential.user_id


def _why_not_linked(user_id: str) -> errors.AppError:
    try:
        user = models.User.get(user_id, consistent_read=True)
    except models.User.DoesNotExist:
        return auth.AccountNotFound()
    if user.role == models.ROLE_ADMIN:
        return AdminAccount()
    return LinkedToAnotherFacilitator()
