"""PynamoDB models: keys, attributes and indexes only. Rules live in the services.

Table names are ``ahoum-<stage>-<name>``; ``bind()`` points every model at the stage's
tables and endpoint. These models are the single source of truth for the tables: local
``create_tables()`` and the deploy template are both generated from them.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, LocalSecondaryIndex
from pynamodb.models import Model

from chalicelib.config import Settings, get_settings

# Short timeouts and few retries: a request must answer 503 within a few seconds when
# DynamoDB is unreachable, never hang until API Gateway's 29 s limit.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 3
MAX_RETRY_ATTEMPTS = 2


class _Meta:
    billing_mode = PAY_PER_REQUEST_BILLING_MODE
    connect_timeout_seconds = CONNECT_TIMEOUT_SECONDS
    read_timeout_seconds = READ_TIMEOUT_SECONDS
    max_retry_attempts = MAX_RETRY_ATTEMPTS


class User(Model):
    class Meta(_Meta):
        table_name = "users"

    user_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute(default="user")
    created_at = UnicodeAttribute()


class Credential(Model):
    """Login lookup and the uniqueness guard for emails (key = normalized email)."""

    class Meta(_Meta):
        table_name = "credentials"

    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    password_hash = UnicodeAttribute()


class Facilitator(Model):
    class Meta(_Meta):
        table_name = "facilitators"

    facilitator_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    crm_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class FacilitatorCopy(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    crm_id = UnicodeAttribute()


class UpcomingIndex(GlobalSecondaryIndex):
    """Sparse: only published events carry ``listing``, so unpublished ones drop out."""

    class Meta:
        index_name = "upcoming"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class Event(Model):
    class Meta(_Meta):
        table_name = "events"

    event_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    kind = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    timezone = UnicodeAttribute()
    capacity = NumberAttribute()
    seats_taken = NumberAttribute(default=0)
    facilitator = FacilitatorCopy()
    created_at = UnicodeAttribute()
    upcoming = UpcomingIndex()


class EventCopy(MapAttribute):
    name = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    timezone = UnicodeAttribute()


class UserCopy(MapAttribute):
    name = UnicodeAttribute()
    email = UnicodeAttribute()


class BookingsByEvent(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_event"
        projection = AllProjection()

    event_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class BookingsByBookingId(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_booking_id"
        projection = AllProjection()

    booking_id = UnicodeAttribute(hash_key=True)


class BookingsNewestFirst(LocalSecondaryIndex):
    """A user's bookings by creation time: "my bookings, newest first" in one Query."""

    class Meta:
        index_name = "by_user_created"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Booking(Model):
    """Keyed by (user, event): the key itself makes a second booking impossible.

    Carries copies of the event, user and facilitator CRM id so the stream image alone
    builds the webhook.
    """

    class Meta(_Meta):
        table_name = "bookings"
        stream_view_type = "NEW_AND_OLD_IMAGES"

    user_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    booking_id = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    idempotency_key = UnicodeAttribute(null=True)
    event = EventCopy()
    user = UserCopy()
    facilitator_crm_id = UnicodeAttribute()
    by_event = BookingsByEvent()
    by_booking_id = BookingsByBookingId()
    newest_first = BookingsNewestFirst()


class RevokedToken(Model):
    class Meta(_Meta):
        table_name = "revoked_tokens"

    jti = UnicodeAttribute(hash_key=True)
    expires_at = TTLAttribute()


class LoginAttempts(Model):
    class Meta(_Meta):
        table_name = "login_attempts"

    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    window_started_at = UnicodeAttribute()
    expires_at = TTLAttribute()


class DueDeliveries(GlobalSecondaryIndex):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    state = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class DeliveryAttempt(MapAttribute):
    at = UnicodeAttribute()
    status = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)


class WebhookDelivery(Model):
    """One message to the CRM. ``next_attempt_at`` is when a pending row is due, when a
    ``sending`` row's claim lapses, and when a finished row finished (so ``due`` lists every
    state in time order)."""

    class Meta(_Meta):
        table_name = "webhook_deliveries"

    delivery_id = UnicodeAttribute(hash_key=True)
    state = UnicodeAttribute()
    next_attempt_at = UnicodeAttribute()
    payload = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    last_status = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    history = ListAttribute(of=DeliveryAttempt, default=list)
    retry_until = UnicodeAttribute()
    claim = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    due = DueDeliveries()


# Short name → model; the short name is the table name without the stage prefix.
TABLES: dict[str, type[Model]] = {
    "users": User,
    "credentials": Credential,
    "facilitators": Facilitator,
    "events": Event,
    "bookings": Booking,
    "revoked_tokens": RevokedToken,
    "login_attempts": LoginAttempts,
    "webhook_deliveries": WebhookDelivery,
}

_connection: Connection | None = None
_bound_settings: Settings


def bind(settings: Settings) -> None:
    """Point every model at the stage's tables and endpoint, dropping cached connections."""
    global _connection, _bound_settings
    credentials = _local_credentials(settings)
    for short_name, model in TABLES.items():
        model.Meta.table_name = settings.table_prefix + short_name
        model.Meta.region = settings.region
        model.Meta.host = settings.dynamodb_endpoint
        for key, value in credentials.items():
            setattr(model.Meta, key, value)
        model._connection = None
    _connection = None
    _bound_settings = settings


def bound_settings() -> Settings:
    """The settings the models are bound to (a caller that rebinds them can put these back)."""
    return _bound_settings


def _local_credentials(settings: Settings) -> dict[str, str | None]:
    # DynamoDB Local accepts any key but botocore insists on having one; on AWS the
    # Lambda role's credentials are found by botocore itself.
    if settings.dynamodb_endpoint:
        return {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
    return {"aws_access_key_id": None, "aws_secret_access_key": None}


def connection() -> Connection:
    """The low-level connection for calls that span tables (TransactWrite, BatchGetItem)."""
    global _connection
    if _connection is None:
        settings = _bound_settings
        credentials = _local_credentials(settings)
        _connection = Connection(
            region=settings.region,
            host=settings.dynamodb_endpoint,
            connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS,
            read_timeout_seconds=READ_TIMEOUT_SECONDS,
            max_retry_attempts=MAX_RETRY_ATTEMPTS,
            aws_access_key_id=credentials["aws_access_key_id"],
            aws_secret_access_key=credentials["aws_secret_access_key"],
        )
    return _connection


ItemKey = tuple[type[Model], str] | tuple[type[Model], str, str]


def batch_get(keys: list[ItemKey]) -> dict[ItemKey, Model]:
    """Read items from several tables in one BatchGetItem round trip (strongly consistent).

    Returns the items that exist, keyed by the same tuples that asked for them.
    """
    wanted: dict[tuple[str, tuple[str, ...]], ItemKey] = {}
    model_of_table: dict[str, type[Model]] = {}
    request: dict[str, dict[str, Any]] = {}
    for key in keys:
        model, *values = key
        key_attrs = [model._hash_key_attribute(), model._range_key_attribute()]
        item_key = {
            attr.attr_name: {attr.attr_type: attr.serialize(value)}
            for attr, value in zip(key_attrs, values, strict=False)
        }
        table = model.Meta.table_name
        request.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append(item_key)
        wanted[(table, tuple(values))] = key
        model_of_table[table] = model
    found: dict[ItemKey, Model] = {}
    client = connection().client
    while request:
        response = client.batch_get_item(RequestItems=request)
        for table, items in response.get("Responses", {}).items():
            model = model_of_table[table]
            for raw in items:
                found[wanted[(table, _key_values(model, raw))]] = model.from_raw_data(raw)
        request = response.get("UnprocessedKeys") or {}
    return found


def _key_values(model: type[Model], raw: dict[str, Any]) -> tuple[str, ...]:
    attrs = [model._hash_key_attribute(), model._range_key_attribute()]
    return tuple(attr.deserialize(raw[attr.attr_name][attr.attr_type]) for attr in attrs if attr)


def table_definition(model: type[Model]) -> dict[str, Any]:
    """The model's table as a DynamoDB CreateTable request: keys, indexes, billing, stream.

    The one description of every table: ``create_tables()`` sends it to DynamoDB Local and the
    deploy templates turn it into CloudFormation, so local and deployed tables cannot drift.
    """
    # _get_schema is PynamoDB's own reading of the model (pinned version); it already folds
    # the index key attributes into the table's attribute definitions.
    schema = model._get_schema()
    definition: dict[str, Any] = {
        "TableName": model.Meta.table_name,
        "BillingMode": model.Meta.billing_mode,
        "AttributeDefinitions": sorted(
            schema["attribute_definitions"], key=lambda attr: attr["AttributeName"]
        ),
        "KeySchema": _key_schema(schema["key_schema"]),
    }
    for kind, indexes in (
        ("GlobalSecondaryIndexes", schema["global_secondary_indexes"]),
        ("LocalSecondaryIndexes", schema["local_secondary_indexes"]),
    ):
        if indexes:
            definition[kind] = [
                {
                    "IndexName": index["index_name"],
                    "KeySchema": _key_schema(index["key_schema"]),
                    "Projection": index["projection"],
                }
                for index in sorted(indexes, key=lambda index: index["index_name"])
            ]
    stream_view_type = getattr(model.Meta, "stream_view_type", None)
    if stream_view_type:
        definition["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream_view_type,
        }
    return definition


def _key_schema(elements: list[dict[str, str]]) -> list[dict[str, str]]:
    # DynamoDB wants the HASH element first.
    return [
        {"AttributeName": element["AttributeName"], "KeyType": element["KeyType"]}
        for element in sorted(elements, key=lambda element: element["KeyType"] != "HASH")
    ]


def ttl_attribute(model: type[Model]) -> str | None:
    """The attribute DynamoDB's TTL deletes items by, if the model has one."""
    attribute = model._ttl_attribute()
    return attribute.attr_name if attribute else None


def create_tables() -> list[str]:
    """Create any missing table (with its stream and TTL); return the names it created."""
    created = []
    client = connection().client
    for model in TABLES.values():
        if model.exists():
            continue
        definition = table_definition(model)
        name = definition["TableName"]
        client.create_table(**definition)
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        ttl = ttl_attribute(model)
        if ttl:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl, "Enabled": True},
            )
        created.append(name)
    return created


def delete_tables() -> None:
    for model in TABLES.values():
        if model.exists():
            model.delete_table()


bind(get_settings())
