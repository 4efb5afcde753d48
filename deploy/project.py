"""The Chalice project as the deploy tooling sees it: stages, function names, config.json."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from chalice_config import CONFIG_PATH, load_config, stage_environment
from chalicelib.config import LAMBDA_FUNCTION, LOCAL_STAGES, PARAMETER_SUFFIX, secrets_read_by

# bench/ reads a stage's environment through this module.
__all__ = ["stage_environment"]

APP_NAME = "ahoum-bookings"

API_FUNCTION = "api_handler"
STREAM_FUNCTION = "on_booking_change"

# Stages whose data outlives a careless command: tables refuse deletion and are retained.
PROTECTED_STAGES = frozenset({"prod"})


class DeployError(RuntimeError):
    """A deploy step cannot go on; the message says what to do."""


def deployable_stages(config: dict[str, Any] | None = None) -> list[str]:
    stages = (config or load_config())["stages"]
    return sorted(stage for stage in stages if stage not in LOCAL_STAGES)


def check_stage(stage: str) -> str:
    stages = deployable_stages()
    if stage not in stages:
        raise DeployError(f"Unknown stage {stage!r}: choose one of {', '.join(stages)}.")
    return stage


def set_stage_variable(stage: str, name: str, value: str, path: Path = CONFIG_PATH) -> None:
    """Write one environment variable into the stage's config, keeping the rest as it is."""
    config = load_config(path)
    config["stages"][stage].setdefault("environment_variables", {})[name] = value
    path.write_text(json.dumps(config, indent=2) + "\n")


def api_name(stage: str) -> str:
    """The REST API's name: one per stage, so API Gateway's metrics (by ApiName) do not mix
    stages. Chalice names every stage's API after the app; the deploy renames it."""
    return f"{APP_NAME}-{stage}"


def api_throttling(stage: str, config: dict[str, Any] | None = None) -> dict[str, float]:
    """The stage's API Gateway throttle: steady requests per second and burst.

    Every stage must set one (``api_throttling`` in its config): an unauthenticated flood
    would otherwise run up Lambda cost without bound.
    """
    throttling = (config or load_config())["stages"][stage].get("api_throttling")
    if not throttling or not {"rate_limit", "burst_limit"} <= set(throttling):
        raise DeployError(
            f"Stage {stage!r} has no api_throttling in .chalice/config.json: add "
            '"api_throttling": {"rate_limit": <requests/s>, "burst_limit": <requests>}.'
        )
    return {
        "rate_limit": float(throttling["rate_limit"]),
        "burst_limit": int(throttling["burst_limit"]),
    }


# A stage's web ACL (``api_waf`` in its config): AWS WAF counts each client address's requests
# over a sliding 5 minutes and blocks an address past the limit, so one client cannot use up
# the stage's throttle, which every client shares. AWS accepts limits within these bounds.
WAF_RATE_LIMIT_BOUNDS = (100, 20_000_000)
DEFAULT_WAF_RATE_LIMIT = 1000


def api_waf_rate_limit(stage: str, config: dict[str, Any] | None = None) -> int | None:
    """Requests per 5 minutes one client address may send the stage's API before AWS WAF
    blocks it; None when the stage turns its web ACL off (``"api_waf": {"enabled": false}``).

    On unless turned off, at ``DEFAULT_WAF_RATE_LIMIT`` unless
    ``api_waf.requests_per_5_minutes_per_ip`` says otherwise.
    """
    waf = (config or load_config())["stages"][stage].get("api_waf", {})
    if not waf.get("enabled", True):
        return None
    limit = waf.get("requests_per_5_minutes_per_ip", DEFAULT_WAF_RATE_LIMIT)
    lowest, highest = WAF_RATE_LIMIT_BOUNDS
    if isinstance(limit, bool) or not isinstance(limit, int) or not lowest <= limit <= highest:
        raise DeployError(
            f"Stage {stage!r}: api_waf.requests_per_5_minutes_per_ip is {limit!r}; AWS WAF "
            f"takes a whole number from {lowest:,} to {highest:,}."
        )
    return limit


def log_retention_days(config: dict[str, Any] | None = None) -> int:
    """How long every log group keeps its lines (Chalice's own setting, reused)."""
    return int((config or load_config())["log_retention_in_days"])


@functools.cache
def lambda_functions() -> dict[str, str]:
    """Chalice's name for each Lambda app.py declares → the logical id Chalice gives it in its
    template. Read from the app, so a new ``@app.schedule`` (or any handler) is deployed,
    alarmed and given its policy file by name, with nothing to list here.

    Imports app.py: the caller's environment must let it import (``stand_ins``).
    """
    from chalice.utils import to_cfn_resource_name

    from app import app

    names = [API_FUNCTION] if app.routes else []
    names += [source.name for source in app.event_sources]
    names += [function.name for function in app.pure_lambda_functions]
    return {
        name: "APIHandler" if name == API_FUNCTION else to_cfn_resource_name(name) for name in names
    }


def function_name(stage: str, function: str) -> str:
    """The Lambda's name as `chalice deploy` creates it (the packaged template uses it too)."""
    if function == "api_handler":
        return f"{APP_NAME}-{stage}"
    return f"{APP_NAME}-{stage}-{function}"


def policy_file(stage: str, function: str) -> str:
    """The rendered policy's file name in a staged project's ``.chalice/``."""
    return f"policy-{stage}-{function}.json"


def secret_parameter(stage: str, secret: str) -> str:
    """The SSM parameter holding a stage's secret: ``JWT_SECRET`` of dev is
    ``/ahoum-bookings/dev/jwt-secret``."""
    return f"/{APP_NAME}/{stage}/{secret.lower().replace('_', '-')}"


def deploy_record_parameter(stage: str) -> str:
    """The SSM parameter keeping what `chalice deploy` made for the stage (its
    ``.chalice/deployed/<stage>.json``), so any machine's deploy updates those resources
    instead of making a second API. No Lambda's policy grants it."""
    return f"/{APP_NAME}/{stage}/deploy-record"


def stage_secrets(stage: str) -> dict[str, str]:
    """Every secret some Lambda of the stage reads → its parameter's name."""
    return {secret: secret_parameter(stage, secret) for secret in secrets_read_by(None)}


def function_environment(stage: str, function: str) -> dict[str, str]:
    """What the deploy tooling adds to one Lambda's environment: which Lambda it is, and the
    parameters of its own secrets only (so its environment does not even name another's)."""
    return {
        LAMBDA_FUNCTION: function,
        **{
            secret + PARAMETER_SUFFIX: secret_parameter(stage, secret)
            for secret in secrets_read_by(function)
        },
    }


def staged_config(stage: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """config.json as `chalice deploy`/`package` get it: each Lambda of the stage with its
    rendered policy file and its own environment (``function_environment``)."""
    staged = copy.deepcopy(config or load_config())
    per_function = staged["stages"][stage].setdefault("lambda_functions", {})
    for function in lambda_functions():
        settings = per_function.setdefault(function, {})
        settings["iam_policy_file"] = policy_file(stage, function)
        settings.setdefault("environment_variables", {}).update(
            function_environment(stage, function)
        )
    return staged


def stand_ins(stage: str, region: str) -> dict[str, str]:
    """Environment for a process that imports the app only to read its shape.

    `chalice package`/`deploy` import app.py to find its routes and Lambdas, and the deploy
    tooling imports the models to describe their tables; config.py insists on what a deployed
    stage needs. Such an import serves nothing, so it gets stand-in secrets (plain values, so
    no SSM is read; they stay in that process, Chalice never sends them to a Lambda) and a
    stand-in stream ARN (which the packaged template replaces with the table's own).
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


def alarm_topic_name(stage: str) -> str:
    return f"ahoum-{stage}-alarms"


def access_log_group_name(stage: str) -> str:
    return f"/aws/apigateway/ahoum-{stage}-access"


def waf_stack_name(stage: str) -> str:
    return f"ahoum-{stage}-waf"


def dead_letter_queue_name(stage: str) -> str:
    # Fixed and predictable, so an alarm on ApproximateNumberOfMessagesVisible can name it.
    return f"ahoum-{stage}-booking-stream-dlq"


def camel_case(name: str) -> str:
    """``on_booking_change`` → ``OnBookingChange``, for logical ids."""
    return "".join(part.capitalize() for part in name.split("_"))
