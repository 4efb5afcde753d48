"""The subscribable feed: a secret URL per person, rotated or stopped at once, listing what a
subscribed calendar must show (cancellations too), read by icalendar and by a second parser."""

import json
from datetime import timedelta
from urllib.parse import urlsplit

import ics
import pytest

from chalicelib import bookings, calendar_feed, config, models
from tests.calendar.conftest import parse, vevents
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import book, headers_for, make_event, make_user


def create_feed(client, user):
    answer = client.http.post("/auth/calendar-feed", headers=headers_for(user))
    assert answer.status_code == 201, answer.body
    return body(answer)["url"]


def fetch(client, url):
    return client.http.get(urlsplit(url).path)


def booked(client, user, event):
    answer = book(client, user, event.event_id)
    assert answer.status_code == 201, answer.body
    return body(answer)["booking_id"]


def past_booking(user, event, status, updated_at):
    """A booking of an event that has already taken place (written as the API would have)."""
    bookings.booking_item(user.user_id, user.name, user.email, event, status, updated_at).save()


def test_feed_lists_upcoming_recent_and_recently_cancelled_bookings(client):
    ann = make_user()
    upcoming = make_event(timedelta(days=3), name="Upcoming")
    to_cancel = make_event(timedelta(days=4), name="Cancelled lately")
    last_week = make_event(timedelta(days=-7), name="Last week")
    long_ago = make_event(timedelta(days=-60), name="Long ago")
    cancelled_long_ago = make_event(timedelta(days=-50), name="Cancelled long ago")
    booked(client, ann, upcoming)
    cancelled_id = booked(client, ann, to_cancel)
    client.http.delete(f"/bookings/{cancelled_id}", headers=headers_for(ann))
    past_booking(ann, last_week, models.CONFIRMED, last_week.created_at)
    past_booking(ann, long_ago, models.CONFIRMED, long_ago.created_at)
    past_booking(ann, cancelled_long_ago, models.CANCELLED, "2026-01-02T00:00:00.000Z")
    booked(client, make_user(name="Bo"), upcoming)  # someone else's booking is not Ann's

    url = create_feed(client, ann)
    answer = fetch(client, url)
    calendar = parse(answer)
    shown = {str(vevent["SUMMARY"]): vevent for vevent in vevents(calendar)}

    assert answer.headers["Cache-Control"] == "private, max-age=300"
    assert calendar["METHOD"] == "PUBLISH"
    assert set(shown) == {"Upcoming", "Cancelled lately", "Last week"}
    assert shown["Upcoming"]["STATUS"] == "CONFIRMED"
    assert shown["Last week"]["STATUS"] == "CONFIRMED"
    assert shown["Cancelled lately"]["STATUS"] == "CANCELLED"


def test_feed_entries_have_the_uid_and_sequence_of_the_single_files(client):
    ann = make_user()
    booking_id = booked(client, ann, make_event())
    single = parse(
        client.http.get(f"/bookings/{booking_id}/calendar.ics", headers=headers_for(ann))
    )

    (in_feed,) = vevents(parse(fetch(client, create_feed(client, ann))))
    (alone,) = vevents(single)

    assert in_feed["UID"] == alone["UID"]
    assert in_feed.decoded("SEQUENCE") == alone.decoded("SEQUENCE")
    assert in_feed.decoded("DTSTART") == alone.decoded("DTSTART")


def test_a_second_parser_reads_the_feed_alike(client):
    ann = make_user()
    sessions = [make_event(timedelta(days=days), name=f"Session {days}") for days in (2, 5)]
    for event in sessions:
        booked(client, ann, event)
    cancelled = booked(client, ann, make_event(timedelta(days=9), name="Dropped"))
    client.http.delete(f"/bookings/{cancelled}", headers=headers_for(ann))

    text = fetch(client, create_feed(client, ann)).body.decode()
    read = {event.name: event for event in ics.Calendar(text).events}

    assert set(read) == {"Session 2", "Session 5", "Dropped"}
    for event in sessions:
        assert read[event.name].begin.isoformat().replace("+00:00", "Z") == event.starts_at
        assert read[event.name].end.isoformat().replace("+00:00", "Z") == event.ends_at
        assert read[event.name].uid == f"{ann.user_id}-{event.event_id}@ahoum-bookings"
    assert read["Dropped"].status == "CANCELLED"
    assert read["Session 2"].status == "CONFIRMED"


def test_creating_the_feed_again_rotates_it_and_the_old_url_is_404_at_once(client):
    ann = make_user()
    first = create_feed(client, ann)
    assert fetch(client, first).status_code == 200

    second = create_feed(client, ann)

    assert second != first
    assert error_of(fetch(client, first), 404)["code"] == "not_found"
    assert fetch(client, second).status_code == 200


def test_deleting_the_feed_turns_it_off(client):
    ann = make_user()
    url = create_feed(client, ann)

    answer = client.http.delete("/auth/calendar-feed", headers=headers_for(ann))

    assert answer.status_code == 200
    assert error_of(fetch(client, url), 404)["code"] == "not_found"
    assert client.http.delete("/auth/calendar-feed", headers=headers_for(ann)).status_code == 200


def test_only_a_keyed_hash_of_the_feed_secret_is_stored(client):
    ann = make_user()
    url = create_feed(client, ann)
    secret = urlsplit(url).path.rsplit("/", 1)[1].removesuffix(".ics").split("-", 1)[1]

    stored = models.User.get(ann.user_id, consistent_read=True)

    assert stored.calendar_feed_hash is not None
    assert secret not in str(stored.serialize())
    assert len(stored.calendar_feed_hash) == 64  # hex of HMAC-SHA256


def test_a_made_up_or_someone_elses_address_is_404(client):
    ann, bo = make_user(), make_user(name="Bo")
    url = create_feed(client, ann)
    path = urlsplit(url).path
    segment = path.rsplit("/", 1)[1]
    stolen_secret = segment.replace(ann.user_id, bo.user_id)
    create_feed(client, bo)

    for wrong in (
        "/calendar/nothing.ics",
        f"/calendar/{segment.removesuffix('.ics')}",
        f"/calendar/{stolen_secret}",
        f"/calendar/{segment[:-6]}AAAAA.ics",
    ):
        assert error_of(client.http.get(wrong), 404)["code"] == "not_found", wrong


def test_feed_urls_need_a_token_to_create_or_stop(client):
    assert error_of(client.http.post("/auth/calendar-feed"), 401)
    assert error_of(client.http.delete("/auth/calendar-feed"), 401)


def test_the_feed_url_is_on_the_configured_public_base_url(client, configure):
    configure(PUBLIC_BASE_URL="https://bookings.example.com/")
    ann = make_user()
    answer = client.http.post("/auth/calendar-feed", headers=headers_for(ann))

    url = body(answer)["url"]
    assert url.startswith(f"https://bookings.example.com/calendar/{ann.user_id}-")
    assert url.endswith(".ics")
    assert calendar_feed.webcal_url(url).startswith("webcal://bookings.example.com/calendar/")


@pytest.mark.parametrize(
    "forged",
    [
        {"Host": "evil.example", "X-Forwarded-Proto": "javascript"},
        {"Host": "evil.example", "X-Forwarded-Proto": "https"},
        {"X-Forwarded-Host": "evil.example"},
    ],
)
def test_the_feed_url_never_follows_the_host_or_scheme_a_client_sends(client, forged):
    ann = make_user()
    answer = client.http.post("/auth/calendar-feed", headers={**headers_for(ann), **forged})

    url = body(answer)["url"]
    assert url.startswith(f"{calendar_feed.LOCAL_BASE_URL}/calendar/{ann.user_id}-")
    assert "evil" not in url


def test_on_aws_the_feed_url_is_on_the_domain_api_gateway_recorded(app, configure):
    # A deployed stage without PUBLIC_BASE_URL: the domain and stage API Gateway itself put
    # in the request context (its routing decided them), whatever the Host header says.
    configure(STAGE="dev", BOOKINGS_STREAM_ARN="arn:aws:dynamodb:us-east-1:1:table/x/stream/1")
    ann = make_user()
    event = {
        "resource": "/auth/calendar-feed",
        "path": "/auth/calendar-feed",
        "httpMethod": "POST",
        "headers": {**headers_for(ann), "Host": "evil.example", "X-Forwarded-Proto": "http"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/auth/calendar-feed",
            "httpMethod": "POST",
            "path": "/api/auth/calendar-feed",
            "stage": "api",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": None,
        "isBase64Encoded": False,
    }
    answer = app(event, None)

    assert answer["statusCode"] == 201, answer["body"]
    url = json.loads(answer["body"])["url"]
    assert url.startswith("https://abc123.execute-api.eu-west-1.amazonaws.com/api/calendar/")


@pytest.mark.parametrize(
    ("value", "stage"),
    [
        ("javascript://evil.example", "test"),
        ("http://bookings.example.com", "dev"),
        ("https://bookings.example.com/?x=1", "dev"),
        ("https://user:pw@bookings.example.com", "dev"),
        ("bookings.example.com", "test"),
    ],
)
def test_a_public_base_url_that_could_mislead_stops_the_start(value, stage, tmp_path):
    environment = {
        "STAGE": stage,
        "DATA_DIR": str(tmp_path),
        "PUBLIC_BASE_URL": value,
        "JWT_SECRET": "s" * 40,
        "BOOKINGS_STREAM_ARN": "arn:aws:dynamodb:us-east-1:1:table/x/stream/1",
    }
    with pytest.raises(config.ConfigError, match="PUBLIC_BASE_URL"):
        config.load_settings(environment)


def test_the_feed_token_is_never_in_a_log_line(client, log_output):
    ann = make_user()
    url = create_feed(client, ann)
    secret = urlsplit(url).path.rsplit("/", 1)[1].removesuffix(".ics").split("-", 1)[1]
    booked(client, ann, make_event())
    fetch(client, url)
    create_feed(client, ann)
    fetch(client, url)  # now a 404

    lines = log_output.getvalue()
    assert lines.count('"message": "request"') >= 4
    assert '"/calendar/' in lines
    assert secret not in lines
