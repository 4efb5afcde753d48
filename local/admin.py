"""Make an account an admin, or a plain user again. Roles change only here, never via the API.

    python -m local.admin promote ann@example.com
    python -m local.admin demote ann@example.com

By default this talks to `make run`'s (or `make db`'s) DynamoDB Local (``DYNAMODB_ENDPOINT``
http://127.0.0.1:<DYNAMODB_LOCAL_PORT, 8001>, ``STAGE`` local); the same variables as the
app's choose another store. The change applies to the account's next request: tokens carry no role.
"""

from __future__ import annotations

import argparse
import os
import sys

from chalicelib import auth, errors
from chalicelib.config import local_dynamodb_endpoint
from local.api_server import apply_stage_defaults

ROLE_OF_COMMAND = {"promote": "admin", "demote": "user"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.admin", description=__doc__)
    parser.add_argument("command", choices=sorted(ROLE_OF_COMMAND))
    parser.add_argument("email")
    args = parser.parse_args(argv)

    os.environ.setdefault("DYNAMODB_ENDPOINT", local_dynamodb_endpoint(os.environ))
    apply_stage_defaults()
    try:
        account = auth.set_role(args.email, ROLE_OF_COMMAND[args.command])
    except errors.AppError as error:
        print(error.message, file=sys.stderr)
        return 1
    except Exception as exc:
        if not errors.is_unavailable(exc):
            raise
        endpoint = os.environ["DYNAMODB_ENDPOINT"] or "AWS"
        print(f"DynamoDB ({endpoint}) does not answer: is `make run` running?", file=sys.stderr)
        return 1
    print(f"{account['email']} ({account['name']}, {account['id']}) is now {account['role']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
