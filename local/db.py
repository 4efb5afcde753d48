"""`make db`: only DynamoDB Local, with the local stage's tables and demo data, until Ctrl-C.

What `make run` starts first, on its own: for `chalice local` (which, with no
``DYNAMODB_ENDPOINT``, looks for it on ``DYNAMODB_LOCAL_PORT``) or a tool of your own.

    python -m local.db    # DYNAMODB_LOCAL_PORT (8001), DATA_DIR (.data)
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from chalicelib.settings_table import number
from local.dynamodb_local import DynamoDBLocal
from local.paths import PRIVATE_UMASK, private_data_dir
from progress import step

DYNAMODB_LOCAL_WARNING = (
    "warning: DynamoDB Local listens on every interface of this machine (port {port}) and "
    "accepts any credentials: anyone who can reach that port can read and change the data. "
    "On a shared network, block the port (docs/security.md)."
)


def local_database(data_dir: Path) -> DynamoDBLocal:
    """`make run`'s DynamoDB Local: on DYNAMODB_LOCAL_PORT, its files under DATA_DIR."""
    port = number("DYNAMODB_LOCAL_PORT").read(os.environ)
    return DynamoDBLocal(port=port, db_path=data_dir / "dynamodb")


def open_database(dynamodb: DynamoDBLocal, data_dir: Path) -> None:
    """Start ``dynamodb``, point this process's environment (the local stage) at it, create
    the tables and seed the demo data (both idempotent)."""
    step(f"Starting DynamoDB Local on {dynamodb.endpoint} (data in {data_dir / 'dynamodb'})")
    print(DYNAMODB_LOCAL_WARNING.format(port=dynamodb.port), file=sys.stderr, flush=True)
    dynamodb.start()
    os.environ.update(
        {"STAGE": "local", "DATA_DIR": str(data_dir), "DYNAMODB_ENDPOINT": dynamodb.endpoint}
    )
    from local.api_server import apply_stage_defaults

    apply_stage_defaults()
    # Imported only now: they read the settings, which the environment above decides.
    from chalicelib.dynamodb import create_tables
    from local import seed

    step("Creating tables")
    created = create_tables()
    print(f"    created {len(created)} table(s)" if created else "    all tables exist")
    step("Seeding demo data")
    print(f"    added {seed.seed()}", flush=True)


def main() -> int:
    os.umask(PRIVATE_UMASK)
    data_dir = private_data_dir(Path(os.environ.get("DATA_DIR", ".data")).resolve())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    dynamodb = local_database(data_dir)
    try:
        open_database(dynamodb, data_dir)
        step("Ready")
        print(
            f"    DynamoDB:   {dynamodb.endpoint} (stage local)\n"
            "    API:        .venv/bin/chalice local   (finds it there)\n"
            "    Stop with Ctrl-C.",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        dynamodb.stop()
        step("Stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
