"""A console form's refusals in a form reader's words, beside the fields they concern."""

from __future__ import annotations

from typing import Any

from chalicelib import errors
from chalicelib.web import notices
from chalicelib.web.pages import field_messages

# The schemas speak to API clients; a form's reader gets these words instead.
_FORM_WORDS = {
    "Not an ISO 8601 date and time.": "Enter a date and time.",
    "Must be after starts_at.": "Must be after the start.",
    "Not a valid integer.": "Enter a whole number.",
    "Not a valid id.": "Pick one from the list.",
}


def form_errors(
    error: errors.AppError | None, fields: tuple[str, ...], typed: dict[str, str]
) -> dict[str, str]:
    """Each field's reason in a form reader's words; a field left empty is asked for."""
    found = field_messages(error, fields) if error else {}
    return {
        name: "Fill this in." if not str(typed.get(name, "")).strip() else _FORM_WORDS.get(m, m)
        for name, m in found.items()
    }


def unexpected_form(error: errors.AppError | None, field_errors: dict[str, str]) -> Any:
    """A refusal that names none of the form's fields: the form itself was tampered with."""
    if error is not None and error.fields and not field_errors:
        return notices.Notice("error", "The form was not as expected; reload the page.")
    return None
