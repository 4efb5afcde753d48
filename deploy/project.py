"""The Chalice project as the deploy tooling sees it: stages, function names, config.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.config import LOCAL_STAGES
from local.paths import REPO_ROOT

APP_NAME = "ahoum-bookings"
CHALICE_DIR = REPO_ROOT / ".chalice"
CONFIG_PATH = CHALICE_DIR / "config.json"

# Chalice's name for each Lambda → the logical id it gives that Lambda in its template.
FUNCTIONS = {
    "api_handler": "APIHandler",
    "on_booking_change": "OnBookingChange",
    "retry_webhooks": "RetryWebhooks",
    "send_reminders": "SendReminders",
}
STREAM_FUNCTION = "on_booking_change"

# Stages whose data outlives a careless command: tables refuse deletion and are retained.
PROTECTED_STAGES = frozenset({"prod"})


class DeployError(RuntimeError):
    """A deploy step cannot go on; the message says what to do."""


def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


def deployable_stages(config: dict[str, Any] | None = None) -> list[str]:
    stages = (config or load_config())["stages"]
    return sorted(stage for stage in stages if stage not in LOCAL_STAGES)


def check_stage(stage: str) -> str:
    stages = deployable_stages()
    if stage not in stages:
        raise DeployError(f"Unknown stage {stage!r}: choose one of {', '.join(stages)}.")
    return stage


def stage_environment(stage: str) -> dict[str, str]:
    """The environment variables every Lambda of the stage gets (global, then stage)."""
    config = load_config()
    return {
        **config.get("environment_variables", {}),
        **config["stages"][stage].get("environment_variables", {}),
    }


def set_stage_variable(stage: str, name: str, value: str, path: Path = CONFIG_PATH) -> None:
    """Write one environment variable into the stage's config, keeping the rest as it is."""
    config = load_config(path)
    config["stages"][stage].setdefault("environment_variables", {})[name] = value
    path.write_text(json.dumps(config, indent=2) + "\n")


def function_name(stage: str, function: str) -> str:
    """The Lambda's name as `chalice deploy` creates it (the packaged template uses it too)."""
    if function == "api_handler":
        return f"{APP_NAME}-{stage}"
    return f"{APP_NAME}-{stage}-{function}"


def policy_path(stage: str, function: str) -> Path:
    """Where the rendered policy goes: the name config.json's ``iam_policy_file`` gives."""
    name = load_config()["stages"][stage]["lambda_functions"][function]["iam_policy_file"]
    return CHALICE_DIR / name


def stand_ins(stage: str, region: str) -> dict[str, str]:
    """Environment for a process that imports the app only to read its shape.

    `chalice package`/`deploy` import app.py to find its routes and Lambdas, and the deploy
    tooling imports the models to describe their tables; config.py insists on what a deployed
    stage needs. Such an import serves nothing, so it gets stand-in secrets (which take
    precedence over the stage's *_PARAM names, so no SSM is read) and a stand-in stream ARN
    (which the packaged template replaces with the table's own).
    """
    return {
        "STAGE": stage,
        "BOOKINGS_STREAM_ARN": (
            f"arn:aws:dynamodb:{region}:000000000000:table/ahoum-{stage}-bookings/stream/stand-in"
        ),
        "JWT_SECRET": "stand-in-for-importing-the-app-" + "x" * 32,
        "CRM_WEBHOOK_SECRET": "stand-in-for-importing-the-app",
    }


def data_stack_name(stage: str) -> str:
    return f"ahoum-{stage}-data"


def dead_letter_queue_name(stage: str) -> str:
    # Fixed and predictable, so an alarm on ApproximateNumberOfMessagesVisible can name it.
    return f"ahoum-{stage}-booking-stream-dlq"
