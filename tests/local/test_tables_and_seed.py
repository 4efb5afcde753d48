from chalicelib import clock, dynamodb, models
from local import seed
from local.dynamodb_local import dynamodb_client
from tests.support.api import bearer, body, post_json


def test_creating_tables_twice_is_a_no_op():
    assert dynamodb.create_tables() == []


def test_bookings_table_streams_new_and_old_images(dynamodb_local):
    table = dynamodb_client(dynamodb_local.endpoint).describe_table(
        TableName=models.Booking.Meta.table_name
    )["Table"]
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }


def test_ttl_is_enabled_where_the_design_says(dynamodb_local):
    client = dynamodb_client(dynamodb_local.endpoint)
    for model in (models.RevokedToken, models.LoginAttempts):
        ttl = client.describe_time_to_live(TableName=model.Meta.table_name)
        assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_seeding_twice_adds_nothing_the_second_time():
    assert seed.seed() == {"facilitators": 3, "accounts": 1, "events": 6, "bookings": 1}
    assert seed.seed() == {"facilitators": 0, "accounts": 0, "events": 0, "bookings": 0}
    assert models.Event.count() == 6
    assert models.Facilitator.count() == 3
    assert models.Booking.count() == 1


def test_seeded_events_are_upcoming_with_realistic_capacities():
    seed.seed()
    from chalicelib import events

    listed = events.list_upcoming()["events"]
    assert {event["name"] for event in listed} == {
        "Yoga Retreat",
        "Meditation Session",
        "Therapeutic Writing",
        "Breathwork Intensive",
        "Healing Circle",
        "Evening Sound Bath",
    }
    capacities = sorted(event["capacity"] for event in listed)
    assert capacities[0] <= 12 and capacities[-1] >= 1000
    starts = [event["starts_at"] for event in listed]
    assert starts == sorted(starts)
    assert all(value.endswith("Z") for value in starts)


def test_one_seeded_event_starts_within_the_reminder_window_and_has_a_booking():
    from chalicelib.config import get_settings

    seed.seed()
    soon = models.Event.get(seed.SOON)
    hours_away = (clock.parse_iso(soon.starts_at) - clock.now()).total_seconds() / 3600
    [booking] = list(models.Booking.by_event.query(seed.SOON))

    assert 0 < hours_away <= get_settings().reminder_hours_before
    assert booking.status == models.CONFIRMED and soon.seats_taken == 1


def test_the_seeded_facilitator_account_logs_in_and_sees_its_seeded_classes(client):
    seed.seed()
    [account] = seed.ACCOUNTS
    login = post_json(
        client, "/auth/login", {"email": account.email, "password": seed.DEMO_PASSWORD}
    )
    headers = bearer(body(login)["access_token"])

    mine = body(client.http.get("/facilitator/events", headers=headers))["events"]

    assert {event["facilitator"]["id"] for event in mine} == {seed.ALICE.facilitator_id}
    assert len(mine) == sum(1 for e in seed.EVENTS if e.facilitator == seed.ALICE)
