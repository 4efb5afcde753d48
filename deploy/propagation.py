"""Retrying a call that AWS refuses only until IAM has propagated a role or policy just made.

IAM is eventually consistent: for seconds (rarely a minute or two) after a role or its policy
is written, a service that checks it may still see the old state and refuse. AWS's messages
for that are the same as for a role that really lacks the permission, so each caller says
which refusal it expects, and a bounded number of tries tells the two apart.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import botocore.exceptions

from deploy.project import DeployError

ATTEMPTS = 12
DELAY_SECONDS = 5


def error_message(error: botocore.exceptions.ClientError) -> str:
    return error.response.get("Error", {}).get("Message", "")


def error_code(error: botocore.exceptions.ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def api_gateway_role_not_assumable_yet(error: botocore.exceptions.ClientError) -> bool:
    """API Gateway's answer to a CloudWatch Logs role it cannot assume (yet)."""
    return error_code(error) == "BadRequestException" and bool(
        re.search(r"role ARN does not have required permissions", error_message(error))
    )


def stream_not_accessible_yet(error: botocore.exceptions.ClientError) -> bool:
    """Lambda's answer to a stream mapping whose function's role cannot read the stream (yet):
    "Cannot access stream … Please ensure the role can perform the GetRecords … Actions"."""
    return error_code(error) == "InvalidParameterValueException" and bool(
        re.search(r"(?i)cannot access stream|ensure the role can perform", error_message(error))
    )


def retry_while_propagating[T](
    call: Callable[[], T],
    is_propagating: Callable[[botocore.exceptions.ClientError], bool],
    what: str,
    *,
    attempts: int = ATTEMPTS,
    delay_seconds: float = DELAY_SECONDS,
    sleep: Callable[[float], Any] = time.sleep,
) -> T:
    """``call()``, tried again after ``delay_seconds`` while it fails with an error
    ``is_propagating`` recognises, at most ``attempts`` times; then a DeployError."""
    for attempt in range(1, attempts):
        try:
            return call()
        except botocore.exceptions.ClientError as error:
            if not is_propagating(error):
                raise
            print(
                f"    {what}: refused while IAM propagates the new role or policy "
                f"({error_message(error)}); trying again in {delay_seconds:.0f} s "
                f"(try {attempt + 1} of {attempts})",
                flush=True,
            )
            sleep(delay_seconds)
    try:
        return call()
    except botocore.exceptions.ClientError as error:
        if not is_propagating(error):
            raise
        raise DeployError(
            f"{what} was still refused after {attempts} tries over "
            f"{(attempts - 1) * delay_seconds:.0f} s ({error_message(error)}). IAM usually "
            "propagates within a minute: if the role and its policy are as deploy/ writes "
            "them, run make deploy again."
        ) from error
