"""Two groups of the table of settings (``chalicelib.settings_table`` assembles them with the
others, in the page's order): where the app runs (stage, AWS, secrets, its public URL), read by
their own code in ``chalicelib.config``, and the local runner's ports and timers, read by
``local/``."""

from __future__ import annotations

from chalicelib.setting_rows import Choice, Described, Group, Number

STAGE_AND_SECRETS = Group(
    "Stage, AWS and secrets",
    (
        Described(
            "STAGE",
            "`local`",
            "table prefix `ahoum-<stage>-`; `local`/`test` allow generated secrets",
        ),
        Described(
            "DYNAMODB_ENDPOINT",
            "unset (AWS)",
            "DynamoDB Local's URL (`make run` sets it; `chalice local` uses "
            "`http://127.0.0.1:<DYNAMODB_LOCAL_PORT>` when it is unset)",
        ),
        Described(
            "AWS_DEFAULT_REGION",
            "`us-east-1`",
            "the region (else `AWS_REGION`, which the Lambda runtime sets)",
        ),
        Described(
            "AWS_REGION", "set by the Lambda runtime", "read when `AWS_DEFAULT_REGION` is unset"
        ),
        Described(
            "JWT_SECRET",
            "generated into `DATA_DIR/jwt_secret` locally",
            "required (≥ 32 chars) on deployed stages by the Lambda that reads it (the API): "
            "it refuses to start without it",
        ),
        Described(
            "JWT_SECRET_PARAM",
            "unset (the deploy sets it on the API Lambda)",
            "name of the SSM SecureString holding `JWT_SECRET`, read at cold start",
        ),
        Described(
            "CRM_WEBHOOK_SECRET_PARAM",
            "unset (the deploy sets it on the webhook Lambdas)",
            "name of the SSM SecureString holding `CRM_WEBHOOK_SECRET`",
        ),
        Described(
            "LAMBDA_FUNCTION",
            "unset (every secret is read)",
            "which Lambda this process is (the deploy sets it on each): only that Lambda's "
            "secrets are read, the others stay unset",
        ),
        Described(
            "BOOKINGS_STREAM_ARN",
            "a placeholder locally",
            "the bookings table's stream; `make deploy` writes it into the stage config",
        ),
        Described(
            "CRM_WEBHOOK_URL",
            "unset (`make run`: the local CRM sink)",
            "where booking confirmations and cancellations are POSTed; unset → deliveries "
            "are recorded as `skipped`",
        ),
        Described(
            "PUBLIC_BASE_URL",
            "unset (AWS: the API's own domain and stage; locally `http://127.0.0.1:8000`)",
            "where people reach this API (`https://bookings.example.com`), for the "
            "absolute URLs it hands out (calendar feeds); never taken from a request's "
            "`Host`. `https` only on deployed stages; no query, fragment or credentials",
        ),
        Described(
            "CRM_WEBHOOK_SECRET",
            "unset (`make run` with the sink: generated into `DATA_DIR/crm_webhook_secret`)",
            "Standard Webhooks signing secret (`whsec_<base64>`); unset → unsigned",
        ),
        Choice(
            "LOG_FORMAT",
            "json",
            ("json", "text"),
            "`json`: one JSON object per log line (CloudWatch metric filters and Logs "
            "Insights read its fields); `text`: one short line a person reads "
            "(`POST /bookings 201 17 ms`; `make run` and `chalice local` use it)",
            field="log_format",
        ),
    ),
)

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
        Number(
            "STRIPE_LOCAL_PORT",
            8003,
            1,
            65_535,
            "localstripe's port (`make run`): the app's Stripe there, its webhooks to the API",
        ),
        Described(
            "RELAY_RETRY_SECONDS",
            "10",
            "how often the local relay runs the webhook retrier (`make run` only)",
        ),
        Described(
            "RELAY_REMINDER_SECONDS",
            "60",
            "how often the local relay runs the reminders (`make run` only; on AWS every "
            "15 minutes)",
        ),
        Described(
            "RELAY_SERIES_SECONDS",
            "3600",
            "how often the local relay tops up open-ended series (`make run` only; on AWS daily)",
        ),
    ),
)
