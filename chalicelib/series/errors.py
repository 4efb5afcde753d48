"""The series' domain errors."""

from __future__ import annotations

from chalicelib import errors


class SeriesNotFound(errors.NotFound):
    """No series has this id."""

    default_message = "No such series."
