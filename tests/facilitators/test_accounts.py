"""Linking accounts to facilitators: admins only, one facilitator per account, an admin stays
an admin, and a link or an unlink applies to tokens already handed out, from the next request."""

from __future__ import annotations

import pytest

from chalicelib import auth, models
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    headers_for,
    json_caller,
    make_admin,
    make_credential,
    make_event,
    make_facilitator,
    make_facilitator_account,
    make_user,
)


@pytest.fixture
def admin():
    return make_admin()


@pytest.fixture
def send(client, admin):
    return json_caller(client, admin)


def members_path(facilitator: models.Facilitator) -> str:
    return f"/admin/facilitators/{facilitator.facilitator_id}/members"


def test_an_admin_links_an_account_which_then_sees_the_facilitators_events(client, send):
    alice = make_facilitator(name="Alice")
    event = make_event(facilitator=alice, name="Alice's Yoga")
    make_event(name="Someone else's class")
    user = make_user(name="Al")
    make_credential(user)
    headers = headers_for(user)
    assert client.http.get("/facilitator/events", headers=headers).status_code == 403

    response = send("post", members_path(alice), {"email": f"  {user.email.upper()} "})

    assert response.status_code == 200, response.body
    assert body(response) == {
        "user_id": user.user_id,
        "name": "Al",
        "email": user.email,
        "facilitator_id": alice.facilitator_id,
    }
    stored = models.User.get(user.user_id)
    assert (stored.role, stored.facilitator_id) == (models.ROLE_FACILITATOR, alice.facilitator_id)
    # The same token, next request: the principal is read from the user item each time.
    mine = client.http.get("/facilitator/events", headers=headers)
    assert [e["id"] for e in body(mine)["events"]] == [event.event_id]
    listed = send("get", members_path(alice))
    assert body(listed) == {"members": [body(response)], "next_cursor": None}


def test_linking_again_to_the_same_facilitator_changes_nothing(send):
    alice = make_facilitator()
    user = make_user()
    make_credential(user)
    first = send("post", members_path(alice), {"email": user.email})

    again = send("post", members_path(alice), {"email": user.email})

    assert (again.status_code, body(again)) == (200, body(first))


def test_an_account_linked_to_another_facilitator_is_409_and_stays_where_it_was(send):
    alice, bob = make_facilitator(name="Alice"), make_facilitator(name="Bob")
    user = make_facilitator_account(alice)
    make_credential(user)

    response = send("post", members_path(bob), {"email": user.email})

    assert error_of(response, 409)["code"] == "linked_to_another_facilitator"
    assert models.User.get(user.user_id).facilitator_id == alice.facilitator_id


def test_an_admin_cannot_be_linked_and_stays_an_admin(send):
    alice = make_facilitator()
    other_admin = make_admin(name="Other")
    make_credential(other_admin)

    response = send("post", members_path(alice), {"email": other_admin.email})

    assert error_of(response, 409)["code"] == "admin_account"
    stored = models.User.get(other_admin.user_id)
    assert (stored.role, stored.facilitator_id) == (models.ROLE_ADMIN, None)


@pytest.mark.parametrize("unknown", ["facilitator", "email"])
def test_an_unknown_facilitator_or_email_is_404(send, unknown):
    alice = make_facilitator()
    user = make_user()
    make_credential(user)
    facilitator = models.Facilitator("01" + "0" * 24) if unknown == "facilitator" else alice
    email = "nobody@example.com" if unknown == "email" else user.email

    response = send("post", members_path(facilitator), {"email": email})

    assert error_of(response, 404)["code"] == "not_found"
    assert models.User.get(user.user_id).role == models.ROLE_USER


def test_unlinking_makes_the_account_a_users_again_from_its_next_request(client, send):
    alice, bob = make_facilitator(name="Alice"), make_facilitator(name="Bob")
    user = make_facilitator_account(alice)
    headers = headers_for(user)
    assert client.http.get("/facilitator/events", headers=headers).status_code == 200
    wrong = send("delete", f"{members_path(bob)}/{user.user_id}")
    assert error_of(wrong, 404)["code"] == "not_found"

    response = send("delete", f"{members_path(alice)}/{user.user_id}")

    assert response.status_code == 200
    assert body(response)["facilitator_id"] is None
    stored = models.User.get(user.user_id)
    assert (stored.role, stored.facilitator_id) == (models.ROLE_USER, None)
    assert error_of(client.http.get("/facilitator/events", headers=headers), 403)
    assert body(send("get", members_path(alice))) == {"members": [], "next_cursor": None}


@pytest.mark.parametrize("role", ["user", "facilitator"])
def test_only_admins_link_or_unlink_accounts(client, send, role):
    alice = make_facilitator()
    caller = make_user() if role == "user" else make_facilitator_account(alice)
    target = make_user(name="Target")
    make_credential(target)
    for email in (target.email, caller.email):
        for method, path, payload in (
            ("post", members_path(alice), {"email": email}),
            ("get", members_path(alice), None),
            ("delete", f"{members_path(alice)}/{caller.user_id}", None),
        ):
            response = send(method, path, payload, user=caller)
            assert error_of(response, 403)["code"] == "forbidden"
    assert models.User.get(target.user_id).role == models.ROLE_USER


def test_the_admin_cli_cannot_make_a_facilitator_without_a_facilitator():
    user = make_user()
    make_credential(user)

    with pytest.raises(Exception, match="role is one of user, admin"):
        auth.set_role(user.email, models.ROLE_FACILITATOR)

    assert models.User.get(user.user_id).role == models.ROLE_USER


def test_the_admin_cli_promoting_a_facilitator_account_unlinks_it():
    account = make_facilitator_account()
    make_credential(account)

    auth.set_role(account.email, models.ROLE_ADMIN)

    stored = models.User.get(account.user_id)
    assert (stored.role, stored.facilitator_id) == (models.ROLE_ADMIN, None)
