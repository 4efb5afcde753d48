"""`make run`: the whole system on this machine, stopped as a whole by Ctrl-C.

Starts DynamoDB Local (data under ``DATA_DIR``), creates tables, seeds demo data, starts
localstripe (Stripe's API, unless ``STRIPE_API_BASE`` points elsewhere), then runs the API
under Chalice's local server and the stream relay that sends CRM webhooks (to a local CRM
sink unless ``CRM_WEBHOOK_URL`` is set). SIGINT or SIGTERM stops every process it started.

Environment: ``PORT`` (8000), ``DYNAMODB_LOCAL_PORT`` (8001), ``CRM_SINK_PORT`` (8002),
``STRIPE_LOCAL_PORT`` (8003), ``DATA_DIR`` (.data), and any app setting (``JWT_SECRET``,
``BCRYPT_ROUNDS``, ``CRM_WEBHOOK_URL``, …), which wins over the local stage's defaults.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from chalicelib.config import kept_secret
from chalicelib.redaction import without_credentials
from chalicelib.settings_table import number
from local import stripe_local
from local.db import local_database, open_database
from local.paths import PRIVATE_UMASK, private_data_dir
from local.processes import launch, stop, wait_for_http, wait_until
from local.stripe_local import LocalStripe
from progress import step


class Supervisor:
    """Child processes that live and die together."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, module: str, env: dict[str, str]) -> None:
        with _stop_deferred():
            self.children[name] = launch(module, env)

    def first_exited(self) -> str | None:
        for name, process in self.children.items():
            if process.poll() is not None:
                return name
        return None

    def exited_while_starting(self) -> str | None:
        """Why starting cannot go on (a child is gone), for ``wait_until``; None while all run."""
        exited = self.first_exited()
        return f"{exited} exited while starting" if exited is not None else None

    def stop_all(self) -> None:
        stop(*self.children.values())


class _Stop(Exception):
    pass


# A signal that lands inside library code can have its _Stop swallowed (an exception raised
# in a socket's close() during cleanup is only printed); the flag keeps the request alive.
_stop_requested: list[str] = []


def _raise_stop(signum: int, frame: object) -> None:
    _stop_requested.append(signal.Signals(signum).name)
    raise _Stop(_stop_requested[-1])


@contextlib.contextmanager
def _stop_deferred() -> Iterator[None]:
    """Hold a stop signal until the block ends: a stop raised inside Popen would leave its
    child running unrecorded, holding the terminal (or a caller's pipe) open."""
    received: list[int] = []
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    previous = {
        sig: signal.signal(sig, lambda signum, _: received.append(signum)) for sig in stop_signals
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        _raise_stop(received[0], None)


def main() -> int:
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    # Every file this run and its children (DynamoDB Local included) create is 0600.
    os.umask(PRIVATE_UMASK)
    data_dir = private_data_dir(Path(os.environ.get("DATA_DIR", ".data")).resolve())
    port = int(os.environ.get("PORT", "8000"))

    dynamodb = local_database(data_dir)
    supervisor = Supervisor()
    stripe_server: LocalStripe | None = None
    try:
        os.environ.update({"PORT": str(port)})
        # A person reads this console: one short line per request, not JSON.
        os.environ.setdefault("LOG_FORMAT", "text")
        # The address calendar feed URLs are made with (never a request's Host header).
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
        open_database(dynamodb, data_dir)
        webhooks_line = _start_crm_sink_unless_configured(supervisor, data_dir)
        stripe_server, stripe_line = _start_localstripe_unless_configured(data_dir, port)
        step(f"Starting the API on http://127.0.0.1:{port}")
        supervisor.start("api", "local.api_server", dict(os.environ))
        wait_for_http(f"http://127.0.0.1:{port}/health", supervisor.exited_while_starting)
        _start_relay(supervisor, data_dir)
        step("Ready")
        print(
            f"    API:        http://127.0.0.1:{port}/events/  (health: /health)\n"
            f"    Dashboard:  http://127.0.0.1:{port}/\n"
            f"    DynamoDB:   {dynamodb.endpoint}\n"
            f"    {webhooks_line}\n"
            f"    {stripe_line}\n"
            "    Stop with Ctrl-C.",
            flush=True,
        )
        while (exited := supervisor.first_exited()) is None:
            if _stop_requested:
                raise _Stop(_stop_requested[-1])
            time.sleep(0.5)
        print(f"{exited} stopped unexpectedly; stopping everything.", file=sys.stderr)
        return 1
    except _Stop as stop:
        step(f"{stop}: stopping")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop_all()
        if stripe_server is not None:
            stripe_server.stop()
        dynamodb.stop()
        step("Stopped")


def _start_crm_sink_unless_configured(supervisor: Supervisor, data_dir: Path) -> str:
    """Point the webhooks at a local CRM sink unless a real URL is set; say where they go."""
    if os.environ.get("CRM_WEBHOOK_URL"):
        return f"Webhooks:   POSTed to {without_credentials(os.environ['CRM_WEBHOOK_URL'])}"
    from local import crm_sink

    sink_url = f"http://127.0.0.1:{int(os.environ.get('CRM_SINK_PORT', '8002'))}/webhooks"
    os.environ["CRM_WEBHOOK_URL"] = sink_url
    os.environ.setdefault("CRM_WEBHOOK_SECRET", crm_sink.local_secret(data_dir))
    step(f"Starting the CRM sink on {sink_url}")
    supervisor.start("crm-sink", "local.crm_sink", dict(os.environ))
    wait_for_http(sink_url, supervisor.exited_while_starting)
    return (
        f"Webhooks:   signed and printed here as [crm] lines, kept in "
        f"{data_dir / crm_sink.DELIVERIES_FILE}"
    )


def _start_localstripe_unless_configured(
    data_dir: Path, api_port: int
) -> tuple[LocalStripe | None, str]:
    """Point the app at localstripe, whose signed webhooks come back to the API, unless
    ``STRIPE_API_BASE`` names another Stripe (a test account: its keys come with it)."""
    if os.environ.get("STRIPE_API_BASE"):
        return None, f"Stripe:     {without_credentials(os.environ['STRIPE_API_BASE'])}"
    server = LocalStripe(
        port=number("STRIPE_LOCAL_PORT").read(os.environ),
        state_file=data_dir / "localstripe.pickle",
    )
    step(f"Starting localstripe on {server.url}")
    with _stop_deferred():
        server.start()
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET") or kept_secret(
        data_dir / "stripe_webhook_secret", lambda: "whsec_" + secrets.token_urlsafe(32)
    )
    os.environ.update(
        STRIPE_API_BASE=server.url,
        STRIPE_JS_URL=server.stripe_js_url,
        STRIPE_WEBHOOK_SECRET=secret,
    )
    os.environ.setdefault("STRIPE_SECRET_KEY", stripe_local.SECRET_KEY)
    os.environ.setdefault("STRIPE_PUBLISHABLE_KEY", stripe_local.PUBLISHABLE_KEY)
    server.send_webhooks_to(f"http://127.0.0.1:{api_port}/payments/stripe/webhook", secret)
    return server, f"Stripe:     localstripe on {server.url} (webhooks signed to the API)"


def _start_relay(supervisor: Supervisor, data_dir: Path) -> None:
    step("Starting the stream relay (bookings stream → webhooks; retrier on a timer)")
    ready_file = data_dir / "relay" / "ready"
    ready_file.parent.mkdir(parents=True, exist_ok=True)
    ready_file.unlink(missing_ok=True)
    supervisor.start("relay", "local.relay", {**os.environ, "RELAY_READY_FILE": str(ready_file)})
    wait_until(ready_file.exists, "the relay", supervisor.exited_while_starting, interval=0.1)


if __name__ == "__main__":
    sys.exit(main())
