"""A series' dates: an RFC 5545 RRULE read with python-dateutil, in local wall-clock time.

Only what the API promises is accepted (FREQ DAILY, WEEKLY or MONTHLY with INTERVAL, BYDAY,
BYMONTHDAY, COUNT, UNTIL); anything else is a 400 naming ``rrule``, so a rule dateutil would
read one way and a calendar client another never gets stored. The recurrence runs on naive
local date-times (18:30 stays 18:30 whatever the offset), and each is then placed in the zone:
a time that does not exist (the spring gap) moves forward by the gap and an ambiguous one (the
autumn fold) takes the first, ``fold=0`` — both what ``zoneinfo`` does with ``fold=0``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib import errors

if TYPE_CHECKING:
    from dateutil import rrule as dateutil_rrule

ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
ALLOWED_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL")
# Far beyond any horizon: an interval of years between dates is a typo, not a schedule.
MOST_INTERVAL = 366
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(T(\d{6})(Z?))?$")


class RuleRefused(errors.ValidationFailed):
    """The rrule is not one this API makes series from."""

    def __init__(self, message: str) -> None:
        super().__init__(fields={"rrule": [message]})


@dataclass(frozen=True)
class Rule:
    """A checked rule: dateutil's recurrence over naive local date-times, and its end."""

    recurrence: dateutil_rrule.rrule
    # COUNT or UNTIL given: every date is known now; otherwise the series is open-ended.
    bounded: bool


def parse(text: str, first: datetime, zone: ZoneInfo) -> Rule:
    """Check ``text`` and tie it to ``first`` (naive, local wall-clock) in ``zone``."""
    parts = _parts(text)
    if "FREQ" not in parts:
        raise RuleRefused("FREQ is required: DAILY, WEEKLY or MONTHLY.")
    if parts["FREQ"] not in ALLOWED_FREQUENCIES:
        raise RuleRefused("FREQ must be DAILY, WEEKLY or MONTHLY.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleRefused("Give COUNT or UNTIL, not both.")
    options: dict[str, Any] = {"dtstart": first, "cache": False}
    if "INTERVAL" in parts:
        options["interval"] = _whole(parts["INTERVAL"], "INTERVAL", 1, MOST_INTERVAL)
    if "COUNT" in parts:
        options["count"] = _whole(parts["COUNT"], "COUNT", 1, 10_000)
    if "UNTIL" in parts:
        options["until"] = _until(parts["UNTIL"], zone)
    if "BYDAY" in parts and parts["FREQ"] != "MONTHLY" and any(c.isdigit() for c in parts["BYDAY"]):
        raise RuleRefused("A numbered BYDAY (1MO, -1FR) needs FREQ=MONTHLY.")
    if "BYDAY" in parts:
        options["byweekday"] = [_weekday(day) for day in parts["BYDAY"].split(",")]
    if "BYMONTHDAY" in parts:
        options["bymonthday"] = [_month_day(day) for day in parts["BYMONTHDAY"].split(",")]
    try:
        recurrence = _rrule().rrule(getattr(_rrule(), parts["FREQ"]), **options)
    except (ValueError, TypeError) as error:
        raise RuleRefused(f"Not a valid rule: {error}.") from None
    return Rule(recurrence, bounded="COUNT" in parts or "UNTIL" in parts)


def local_starts(rule: Rule, after: datetime | None = None) -> Iterator[datetime]:
    """The naive local start of each occurrence, first first (strictly after ``after``)."""
    if after is None:
        yield from rule.recurrence
        return
    moment = rule.recurrence.after(after)
    while moment is not None:
        yield moment
        moment = rule.recurrence.after(moment)


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as a UTC moment: gap → forward by the gap, fold → first."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_start(on: date, at: time) -> datetime:
    return datetime.combine(on, at)


def times_of(local: datetime, duration: timedelta, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of an occurrence starting at ``local`` that lasts ``duration``."""
    starts_at = to_utc(local, zone)
    return starts_at, starts_at + duration


def _rrule() -> ModuleType:
    # Imported on the first series read or written, so no other Lambda's cold start pays it.
    from dateutil import rrule

    return rrule


def _parts(text: str) -> dict[str, str]:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    parts: dict[str, str] = {}
    for part in body.split(";"):
        name, equals, value = part.partition("=")
        name = name.strip().upper()
        if not equals or not name or not value.strip():
            raise RuleRefused("Write the rule as NAME=VALUE parts joined by ';'.")
        if name not in ALLOWED_PARTS:
            raise RuleRefused(f"{name} is not supported; use only {', '.join(ALLOWED_PARTS)}.")
        if name in parts:
            raise RuleRefused(f"{name} is given twice.")
        parts[name] = value.strip().upper()
    return parts


def _whole(value: str, name: str, lowest: int, highest: int) -> int:
    if not (value.isascii() and value.isdigit()) or not lowest <= int(value) <= highest:
        raise RuleRefused(f"{name} must be a whole number from {lowest} to {highest}.")
    return int(value)


def _weekday(text: str) -> dateutil_rrule.weekday:
    match = _BYDAY.match(text.strip())
    if match is None:
        raise RuleRefused(f"BYDAY takes MO..SU, optionally numbered (1MO, -1FR); not {text!r}.")
    day = getattr(_rrule(), match.group(2))
    return day(int(match.group(1))) if match.group(1) else day


def _month_day(text: str) -> int:
    value = text.strip()
    digits = value.lstrip("+-")
    if not (digits.isascii() and digits.isdigit()) or not 1 <= int(digits) <= 31:
        raise RuleRefused(f"BYMONTHDAY takes 1..31 or -31..-1; not {text!r}.")
    return int(value)


def _until(text: str, zone: ZoneInfo) -> datetime:
    """UNTIL as a naive local date-time: a date means through that whole local day."""
    match = _UNTIL.match(text)
    if match is None:
        raise RuleRefused("UNTIL is YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ.")
    try:
        day = datetime.strptime(match.group(1), "%Y%m%d")
        if match.group(3) is None:
            return datetime.combine(day.date(), time(23, 59, 59))
        moment = datetime.strptime(match.group(1) + match.group(3), "%Y%m%d%H%M%S")
    except ValueError:
        raise RuleRefused("UNTIL is not a real date.") from None
    if match.group(4):
        return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    return moment
