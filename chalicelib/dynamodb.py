"""Where the tables live and how we talk to them: binding, connections, batch reads, tables.

Every model in ``chalicelib.models`` derives from ``Table``. Nothing happens at import: the
first DynamoDB call from any model (or ``connection()``/``batch_get``) binds every table to
the stage's settings, once per container. A caller that wants other settings (tests pointing
at their DynamoDB Local, a tool pointing at `make run`'s) calls ``bind(settings)`` itself.

Every table talks through one connection, and so one botocore session and client, per
container. Left alone, PynamoDB gives each model its own connection, each with a session of
its own: the first call of each table would load DynamoDB's service model again (most of a
client's ~150 ms), so the API's first request, which reads two tables, paid it twice.

Table names are ``ahoum-<stage>-<name>``. ``table_definition`` is the one description of a
table: local ``create_tables()`` and the deploy templates are both generated from it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from pynamodb.connection import Connection, TableConnection
from pynamodb.constants import NONE, PAY_PER_REQUEST_BILLING_MODE
from pynamodb.exceptions import TableError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib import errors
from chalicelib.config import Settings, get_settings

# Short timeouts and few retries: a request must answer 503 within a few seconds when
# DynamoDB is unreachable, never hang until API Gateway's 29 s limit.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 3
MAX_RETRY_ATTEMPTS = 2

# Reentrant: the first use binds (under the lock) through bind(), which takes it too.
_lock = threading.RLock()
_bound_settings: Settings | None = None
_connection: Connection | None = None
# Short name (the table name without the stage prefix) → model, in declaration order.
_tables: dict[str, type[Table]] = {}


class Table(Model):
    """A model stored in one of the stage's tables; ``Meta.table_name`` is the short name."""

    class Meta:
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        connect_timeout_seconds = CONNECT_TIMEOUT_SECONDS
        read_timeout_seconds = READ_TIMEOUT_SECONDS
        max_retry_attempts = MAX_RETRY_ATTEMPTS

    short_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.short_name = cls.Meta.table_name
        _tables[cls.short_name] = cls

    @classmethod
    def _get_connection(cls) -> TableConnection:
        # PynamoDB asks for the table's connection before every call: the lazy bind's hook,
        # and where the table's own connection is swapped for the shared one.
        _ensure_bound()
        table = super()._get_connection()
        if table.connection is not _connection:
            with _lock:
                _share(table, connection())
        return table


def registered_tables() -> dict[str, type[Table]]:
    """Every table's model by short name."""
    return dict(_tables)


def bind(settings: Settings) -> None:
    """Point every table at the stage's names and endpoint, dropping cached connections."""
    global _bound_settings, _connection
    with _lock:
        credentials = _local_credentials(settings)
        for short_name, model in _tables.items():
            model.Meta.table_name = settings.table_prefix + short_name
            model.Meta.region = settings.region
            model.Meta.host = settings.dynamodb_endpoint
            for key, value in credentials.items():
                setattr(model.Meta, key, value)
            model._connection = None
        _connection = None
        _bound_settings = settings


def bound_settings() -> Settings | None:
    """The settings the tables are bound to; None until the first use or ``bind``."""
    return _bound_settings


def _ensure_bound() -> Settings:
    if _bound_settings is None:
        with _lock:
            if _bound_settings is None:
                bind(get_settings())
    assert _bound_settings is not None
    return _bound_settings


def _local_credentials(settings: Settings) -> dict[str, str | None]:
    # DynamoDB Local accepts any key but botocore insists on having one; on AWS the
    # Lambda role's credentials are found by botocore itself.
    if settings.dynamodb_endpoint:
        return {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
    return {"aws_access_key_id": None, "aws_secret_access_key": None}


def connection() -> Connection:
    """The container's one connection: every table's calls, and those that span tables
    (TransactWrite, BatchGetItem), go through it and its one botocore client."""
    global _connection
    settings = _ensure_bound()
    if _connection is not None:
        return _connection
    with _lock:
        if _connection is None:
            credentials = _local_credentials(settings)
            shared = Connection(
                region=settings.region,
                host=settings.dynamodb_endpoint,
                connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS,
                read_timeout_seconds=READ_TIMEOUT_SECONDS,
                max_retry_attempts=MAX_RETRY_ATTEMPTS,
                aws_access_key_id=credentials["aws_access_key_id"],
                aws_secret_access_key=credentials["aws_secret_access_key"],
            )
            # Made here, under the lock: PynamoDB makes a connection's client on first use
            # from a session per thread, so threads starting together would each make one.
            shared.client  # noqa: B018 (the property makes it)
            _connection = shared
        return _connection


def _share(table: TableConnection, shared: Connection) -> None:
    """Point a table's connection at the shared one, which learns the table's keys."""
    if table.connection is shared:
        return
    try:
        shared.get_meta_table(table.table_name)
    except TableError:
        shared.add_meta_table(table.get_meta_table())
    table.connection = shared


ItemKey = tuple[type[Model], str] | tuple[type[Model], str, str]
BatchGet = Callable[[dict[str, Any]], dict[str, Any]]


def update_blind(item: Table, actions: list[Action], condition: Condition | None = None) -> None:
    """An UpdateItem of ``item``'s key that asks for nothing back (ReturnValues NONE).

    PynamoDB's ``Model.update`` always asks for the whole item (ALL_NEW), and a policy that
    limits which attributes a Lambda may touch (``dynamodb:Attributes``) must refuse that, or
    the Lambda could read every attribute through it. Raises PynamoDB's ``UpdateError`` as
    ``Model.update`` does.
    """
    hash_key, range_key = item._get_hash_range_key_serialized_values()
    type(item)._get_connection().update_item(
        hash_key, range_key=range_key, actions=actions, condition=condition, return_values=NONE
    )


def batch_get(keys: list[ItemKey]) -> dict[ItemKey, Model]:
    """Read items from several tables in one BatchGetItem round trip (strongly consistent).

    Returns the items that exist, keyed by the same tuples that asked for them. Keys DynamoDB
    leaves unprocessed (throttling, or a response over 16 MB) are asked for again after a
    growing pause; after ``batch_get_attempts`` calls the read gives up as unavailable (503).
    """
    settings = _ensure_bound()
    client = connection().client
    return read_batch(
        keys,
        lambda request: client.batch_get_item(RequestItems=request),
        attempts=settings.batch_get_attempts,
        base_delay_seconds=settings.batch_get_base_delay_ms / 1000,
    )


def read_batch(
    keys: list[ItemKey],
    call: BatchGet,
    *,
    attempts: int,
    base_delay_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[ItemKey, Model]:
    """``batch_get`` over any BatchGetItem function ``call(request_items) -> response``."""
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
    for attempt in range(attempts):
        if attempt:
            # Full jitter: concurrent readers throttled together do not retry together.
            sleep(random.uniform(0, base_delay_seconds * 2 ** (attempt - 1)))
        response = call(request)
        for table, items in response.get("Responses", {}).items():
            model = model_of_table[table]
            for raw in items:
                found[wanted[(table, _key_values(model, raw))]] = model.from_raw_data(raw)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return found
    raise errors.ServiceUnavailable("The database is busy; try again in a few seconds.")


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
    for model in _tables.values():
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
