"""The local runner's settings (`make run`, `make db`, `chalice local`): the settings table's
last group, which only local/ reads, in a module of its own so the table (settings_table)
holds what the deployed app reads."""

from __future__ import annotations

from chalicelib.setting_rows import Described, Group, Number

LOCAL_RUNNER = Group(
    "The local runner (`make run`, `make db`, `chalice local`; read by local/)",
    (
        Described("PORT", "8000", "local API port (`make run` only)"),
        Number(
            "DYNAMODB_LOCAL_PORT",
            8001,
            1,
            65_535,
            "DynamoDB Local's port (`make run`, `make db`; `chalice local` looks for it there)",
        ),
        Described(
            "DATA_DIR",
            "`.data`",
            "DynamoDB Local's files, local secrets, the relay's position, the sink's "
            "deliveries (`make run`, `make db`, `chalice local`)",
        ),
        Described("CRM_SINK_PORT", "8002", "the local CRM sink's port (`make run` only)"),
        Described(
            "RELAY_RETRY_SECONDS",
            "10",
            "how often the local relay runs the webhook retrier and the job finishing events' "
            "cancellations and moves (`make run` only; on AWS every minute)",
        ),
        Described(
            "RELAY_REMINDER_SECONDS",
            "60",
            "how often the local relay runs the reminders (`make run` only; on AWS every "
            "15 minutes)",
        ),
    ),
)
