from chalicelib import dynamodb, models
from local import seed
from local.dynamodb_local import dynamodb_client


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
    assert seed.seed() == {"facilitators": 3, "events": 5}
    assert seed.seed() == {"facilitators": 0, "events": 0}
    assert models.Event.count() == 5
    assert models.Facilitator.count() == 3


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
    }
    capacities = sorted(event["capacity"] for event in listed)
    assert capacities[0] <= 12 and capacities[-1] >= 1000
    starts = [event["starts_at"] for event in listed]
    assert starts == sorted(starts)
    assert all(value.endswith("Z") for value in starts)
