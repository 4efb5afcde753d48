"""The console's facilitators: the list, the new and edit forms."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import auth, errors, facilitators, schemas
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web.console.form_errors import form_errors, unexpected_form
from chalicelib.web.views import admin_only
from chalicelib.web.visit import Visit

FACILITATORS_PER_PAGE = 100
_FACILITATOR_FIELDS = ("name", "crm_id")


@admin_only
def facilitators_page(visit: Visit, principal: auth.Principal) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    page = facilitators.list_all(limit=FACILITATORS_PER_PAGE, cursor=cursor)
    return visit.page(
        "admin/facilitators.html",
        section="admin",
        facilitators=sorted(page["facilitators"], key=lambda item: item["name"].lower()),
        first_page=cursor and f"{ROOT}/facilitators",
        next_page=page["next_cursor"] and f"{ROOT}/facilitators?cursor={page['next_cursor']}",
    )


@admin_only
def new_facilitator_page(visit: Visit, principal: auth.Principal) -> Response:
    return _facilitator_form(visit, None, {})


@admin_only
def create_facilitator(visit: Visit, principal: auth.Principal) -> Response:
    form = visit.form()
    try:
        facilitators.create(**schemas.load_mapping(form, schemas.FacilitatorBody()))
    except errors.ValidationFailed as error:
        return _facilitator_form(visit, None, form, error)
    visit.notify("facilitator_created")
    return visit.redirect(f"{ROOT}/facilitators")


@admin_only
def edit_facilitator_page(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator = facilitators.get(schemas.load_id(facilitator_id, "facilitator_id"))
    return _facilitator_form(visit, facilitator, facilitator)


@admin_only
def update_facilitator(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator = facilitators.get(schemas.load_id(facilitator_id, "facilitator_id"))
    form = visit.form()
    changes = {name: value for name, value in form.items() if facilitator.get(name) != value}
    if not changes:
        visit.notify("nothing_changed")
        return visit.redirect(f"{ROOT}/facilitators")
    try:
        facilitators.update(
            facilitator["id"], **schemas.load_mapping(changes, schemas.FacilitatorChanges())
        )
    except errors.ValidationFailed as error:
        return _facilitator_form(visit, facilitator, form, error)
    visit.notify("facilitator_saved")
    return visit.redirect(f"{ROOT}/facilitators")


def _facilitator_form(
    visit: Visit,
    facilitator: dict[str, Any] | None,
    typed: dict[str, str],
    error: errors.AppError | None = None,
) -> Response:
    field_errors = form_errors(error, _FACILITATOR_FIELDS, typed)
    return visit.page(
        "admin/facilitator_form.html",
        error=error,
        notice=unexpected_form(error, field_errors),
        section="admin",
        facilitator=facilitator,
        typed={name: typed.get(name, "") for name in _FACILITATOR_FIELDS},
        field_errors=field_errors,
    )
