"""`make deliveries STAGE=dev [STATE=failed]`: a deployed stage's CRM webhook deliveries.

Reads them through the admin API (``GET /admin/webhooks``), as an admin: the token comes
from ``ADMIN_TOKEN``, or the tool logs in as ``ADMIN_EMAIL`` and asks for the password. The
API's URL is the one `chalice deploy` recorded for the stage (``--url`` names another).

    python -m deploy.deliveries --stage dev --state failed --limit 20
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import requests

from chalice_config import CHALICE_DIR

STATES = ("pending", "sending", "delivered", "failed", "skipped")
TIMEOUT_SECONDS = 10


class DeliveriesError(RuntimeError):
    """The deliveries cannot be read; the message says what to do."""


def api_url(stage: str) -> str:
    record = CHALICE_DIR / "deployed" / f"{stage}.json"
    if not record.exists():
        raise DeliveriesError(
            f"Stage {stage!r} is not deployed from here ({record.name} is missing)."
        )
    for resource in json.loads(record.read_text())["resources"]:
        if resource["name"] == "rest_api":
            return resource["rest_api_url"]
    raise DeliveriesError(f"{record.name} records no REST API.")


def admin_token(
    base_url: str,
    environ: dict[str, str],
    ask_password: Callable[[str], str] = getpass.getpass,
    http: Any = requests,
) -> str:
    if environ.get("ADMIN_TOKEN"):
        return environ["ADMIN_TOKEN"]
    email = environ.get("ADMIN_EMAIL")
    if not email:
        raise DeliveriesError("Set ADMIN_TOKEN, or ADMIN_EMAIL to log in as an admin.")
    response = http.post(
        f"{base_url}/auth/login",
        json={"email": email, "password": ask_password(f"Password for {email}: ")},
        timeout=TIMEOUT_SECONDS,
    )
    if response.status_code != 200:
        raise DeliveriesError(f"Login as {email} was refused ({response.status_code}).")
    return response.json()["access_token"]


def deliveries(
    base_url: str, token: str, state: str, limit: int, http: Any = requests
) -> Iterator[dict[str, Any]]:
    """Up to ``limit`` deliveries in ``state``, following the API's cursor."""
    cursor = None
    left = limit
    while left > 0:
        params: dict[str, Any] = {"state": state, "limit": min(left, 100)}
        if cursor:
            params["cursor"] = cursor
        response = http.get(
            f"{base_url}/admin/webhooks",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_SECONDS,
        )
        if response.status_code != 200:
            raise DeliveriesError(
                f"GET /admin/webhooks answered {response.status_code}: {response.text[:200]}"
            )
        page = response.json()
        yield from page["deliveries"]
        left -= len(page["deliveries"])
        cursor = page["next_cursor"]
        if not cursor or not page["deliveries"]:
            return


def line(delivery: dict[str, Any]) -> str:
    payload = delivery["payload"]
    when = delivery["next_attempt_at"] or delivery["updated_at"]
    error = f"  last error: {delivery['last_error']}" if delivery["last_error"] else ""
    return (
        f"{delivery['id']}  {delivery['state']:9}  {payload.get('type', '?'):18} "
        f"attempts {delivery['attempts']}  last status {delivery['last_status'] or '-'}  "
        f"{'next' if delivery['next_attempt_at'] else 'updated'} {when}{error}"
    )


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.deliveries", description=__doc__)
    parser.add_argument("--stage", required=True)
    parser.add_argument("--state", choices=STATES, default="failed")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--url", help="the API's base URL (default: the stage's deployed API)")
    args = parser.parse_args(argv)
    environ = dict(os.environ if environ is None else environ)
    try:
        base_url = (args.url or api_url(args.stage)).rstrip("/")
        token = admin_token(base_url, environ)
        found = 0
        for delivery in deliveries(base_url, token, args.state, args.limit):
            print(line(delivery))
            found += 1
    except (DeliveriesError, requests.RequestException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{found} {args.state} deliveries on {args.stage} ({base_url})")
    if found and args.state == "failed":
        print(f"Replay one: POST {base_url}/admin/webhooks/<id>/replay (docs/deploy.md, Alarms).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
