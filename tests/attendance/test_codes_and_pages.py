"""The check-in code: bound to its booking and event, unguessable; the phone page it opens,
the roster's buttons, and where the attendee finds the code (booking page, calendar file)."""

import re
from urllib.parse import quote

import pytest

from chalicelib import attendance, auth, bookings, models, passwords
from chalicelib.attendance import codes
from tests.attendance.conftest import facilitator_account
from tests.support.browser import csrf_token, text
from tests.support.factories import (
    headers_for,
    make_admin,
    make_booking,
    make_event,
    make_facilitator,
    make_user,
    principal_of,
)

OTHER_BOOKING_ID = "01JD8X9K2B4C6D8E0F1G3H5J7K"


def attendance_of(booking):
    return models.Booking.get(booking.user_id, booking.event_id).attendance


def test_a_code_checks_in_only_its_own_booking_at_its_own_event(studio):
    ann, bo = (make_booking(make_user(name=name), studio.event) for name in ("Ann", "Bo"))
    later = make_event(facilitator=studio.facilitator)
    staff = principal_of(studio.account)
    good = codes.code(ann.booking_id, ann.event_id)
    forged = [
        # Ann's id with another booking's mark, Bo's id with Ann's mark.
        f"{ann.booking_id}.{codes.code(bo.booking_id, bo.event_id).partition('.')[2]}",
        f"{bo.booking_id}.{good.partition('.')[2]}",
        # Issued for another event of the same booking id (a booking moved there).
        codes.code(ann.booking_id, later.event_id),
        good[:-1] + ("A" if good[-1] != "A" else "B"),
        "not-a-code",
    ]

    for code in forged:
        with pytest.raises(bookings.BookingNotFound):
            attendance.check_in_by_code(staff, code)
    assert attendance_of(ann) is None and attendance_of(bo) is None
    assert attendance.check_in_by_code(staff, good)["attendance"] == "checked_in"
    assert len(good.partition(".")[2]) == 22  # 128 bits


def test_another_facilitators_code_is_404_on_the_phone_page(browser, studio):
    booking = make_booking(make_user(), studio.event)
    path = f"/check-in/{codes.code(booking.booking_id, booking.event_id)}"
    browser.as_user(facilitator_account(make_facilitator(name="Bob"), name="Bo"))

    assert browser.get(path).status_code == 404
    assert browser.as_user(make_user()).get(path).status_code == 404


def test_the_phone_page_logs_in_then_checks_in_with_one_csrf_checked_button(browser, studio):
    booking = make_booking(make_user(name="Ann Lee"), studio.event)
    path = f"/check-in/{codes.code(booking.booking_id, booking.event_id)}"
    credential = studio.account
    models.Credential(
        auth.normalize_email(credential.email),
        user_id=credential.user_id,
        password_hash=passwords.hash_password("correct horse battery"),
    ).save()

    to_login = browser.get(path)
    assert to_login.headers["Location"] == f"/login?next={quote(path, safe='')}"
    login_page = browser.follow(to_login)
    assert f'name="next" value="{path}"' in text(login_page)
    logged_in = browser.post(
        "/login",
        {
            "csrf_token": csrf_token(login_page),
            "email": credential.email,
            "password": "correct horse battery",
            "next": path,
        },
    )
    assert logged_in.headers["Location"] == path
    page = browser.follow(logged_in)
    assert "Check in Ann Lee</button>" in text(page)

    refused = browser.post(path, {"csrf_token": "forged"})
    assert refused.status_code == 403 and attendance_of(booking) is None
    done = browser.post(path, {"csrf_token": csrf_token(page)})
    assert done.status_code == 200
    assert "Ann Lee is checked in." in text(done)
    assert attendance_of(booking) == "checked_in"


@pytest.mark.parametrize("elsewhere", ["https://evil.example/x", "//evil.example", "/dashboard/x"])
def test_a_login_goes_on_only_to_a_check_in_page(browser, elsewhere):
    page = browser.get(f"/login?next={quote(elsewhere, safe='')}")
    assert 'name="next"' not in text(page)


def test_the_roster_checks_in_and_undoes_with_its_buttons(browser, studio):
    booking = make_booking(make_user(name="Ann"), studio.event)
    browser.as_user(make_admin())
    roster = f"/admin/console/events/{studio.event.event_id}/attendees"
    page = browser.get(roster)
    assert 'aria-label="Check in Ann"' in text(page)
    form = {"csrf_token": csrf_token(page), "back": roster}

    checked = browser.post(f"/check-in/bookings/{booking.booking_id}", {**form, "action": ""})
    assert checked.headers["Location"] == roster
    page = browser.follow(checked)
    assert attendance_of(booking) == "checked_in"
    assert 'aria-label="Undo check-in of Ann"' in text(page)
    assert "Checked in." in text(page)
    exported = text(browser.get(f"{roster}.csv"))
    assert exported.splitlines()[0].endswith('"attendance"')
    assert exported.splitlines()[1].endswith('"checked_in"')
    undone = browser.post(f"/check-in/bookings/{booking.booking_id}", {**form, "action": "undo"})
    assert browser.follow(undone).status_code == 200
    assert attendance_of(booking) is None
    stranger = browser.as_user(make_user())
    refused = stranger.post(f"/check-in/bookings/{booking.booking_id}", {**form, "action": ""})
    assert refused.status_code in (403, 404)
    assert attendance_of(booking) is None


def test_the_attendee_sees_the_code_as_a_qr_and_in_the_calendar_file(browser, client, studio):
    ann = make_user()
    booking = make_booking(ann, studio.event)
    url = f"http://127.0.0.1:8000/check-in/{codes.code(booking.booking_id, booking.event_id)}"

    page = text(browser.as_user(ann).get(f"/dashboard/events/{studio.event.event_id}"))
    ics = client.http.get(f"/bookings/{booking.booking_id}/calendar.ics", headers=headers_for(ann))

    assert re.search(r'<figure role="img" aria-label="[^"]*"><svg ', page)
    assert "Your check-in code" in page
    unfolded = ics.body.decode().replace("\r\n ", "")
    assert f"Check-in: {url}" in unfolded.replace("\\n", "\n")
