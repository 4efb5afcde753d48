"""The facilitators' groups of the table of settings: attendance (check-in window, no-shows,
the strike policy) and the attendance report's range."""

from __future__ import annotations

from chalicelib.setting_rows import Group, Number

ATTENDANCE = Group(
    "Attendance: check-in, no-shows, strikes (chalicelib/attendance/)",
    (
        Number(
            "CHECKIN_OPENS_MINUTES",
            60,
            0,
            24 * 60,
            "check-in opens this long before an event starts",
            field="checkin_opens_minutes",
        ),
        Number(
            "NO_SHOW_GRACE_MINUTES",
            30,
            0,
            24 * 60,
            "check-in (and its undo) stays open this long after an event ends; then the "
            "job `mark_no_shows` marks whoever was not checked in `no_show` (only at "
            "events where someone was checked in)",
            field="no_show_grace_minutes",
        ),
        Number(
            "STRIKE_LIMIT",
            3,
            0,
            100,
            "no-shows (strikes) within STRIKE_WINDOW_DAYS that suspend an account from "
            "booking and joining waiting lists; 0 switches the policy off",
            field="strike_limit",
        ),
        Number(
            "STRIKE_WINDOW_DAYS",
            30,
            1,
            365,
            "how far back strikes count",
            field="strike_window_days",
        ),
        Number(
            "SUSPENSION_DAYS",
            7,
            1,
            365,
            "how long a suspension lasts from the strike that reached the limit (an admin "
            "may lift it sooner)",
            field="suspension_days",
        ),
        Number(
            "NO_SHOW_RUN_BUDGET_SECONDS",
            90,
            1,
            110,
            "a `mark_no_shows` run (every 15 minutes, timeout 120 s) stops after this long; "
            "the next run goes on",
            field="no_show_run_budget_seconds",
        ),
    ),
)

REPORTS = Group(
    "Reports (chalicelib/facilitation/reports.py)",
    (
        # Each event in the range costs one bookings Query: the bound keeps a report
        # inside the API's 15 s.
        Number(
            "REPORT_MAX_DAYS",
            366,
            1,
            1096,
            "the longest date range (`from` to `to`, both included) an attendance report "
            "covers; longer → 400 naming `to`",
            field="report_max_days",
        ),
    ),
)
