"""A stand-in CRM for `make run`: receives the webhooks, checks each signature, and prints one
readable line per delivery (also kept as JSON lines in ``DATA_DIR/crm_deliveries.jsonl``).

It behaves as a real CRM should (docs/webhooks.md, "How to receive webhooks"):

- a signature that does not verify, or a timestamp more than 5 minutes off (the signature
  covers it, so an old message cannot be replayed), is answered 401, so a misconfigured
  secret shows up as retries, not as silent success;
- a ``webhook-id`` it has already accepted is answered 200 and not recorded again: delivery
  is at least once, so a repeat is expected and must be harmless;
- anything else is accepted (204) and recorded.

    python -m local.crm_sink    # CRM_SINK_PORT (8002), CRM_WEBHOOK_SECRET, DATA_DIR (.data)
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from chalicelib.config import kept_secret
from local.paths import PRIVATE_UMASK, private_data_dir

DELIVERIES_FILE = "crm_deliveries.jsonl"
SECRET_FILE = "crm_webhook_secret"


def local_secret(data_dir: Path) -> str:
    """A ``whsec_`` signing secret kept in DATA_DIR, made on first use."""
    return kept_secret(
        data_dir / SECRET_FILE,
        lambda: "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode(),
    )


class CrmSink:
    """An HTTP receiver on 127.0.0.1 that records every POST it gets.

    ``reply_status`` is what it answers a valid delivery with (a CRM having a bad day
    answers 500). ``stop()`` then ``start()`` brings it back on the same port.
    """

    def __init__(
        self,
        port: int = 0,
        secret: str | None = None,
        log_path: Path | None = None,
        echo: bool = True,
    ) -> None:
        self.port = port
        self.secret = secret
        self.log_path = log_path
        self.echo = echo
        self.reply_status = 204
        self.deliveries: list[dict[str, Any]] = []
        # The webhook-ids accepted so far, those in the log file included (a restart keeps them).
        self.accepted = _accepted_in(log_path)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    def start(self) -> CrmSink:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        self._server.daemon_threads = True  # stopping never waits on a client's connection
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        """Check and record one delivery; return the status to answer with."""
        headers = {name.lower(): value for name, value in headers.items()}
        signature = self._check_signature(headers, body)
        status = 401 if signature.startswith("invalid") else self.reply_status
        webhook_id = headers.get("webhook-id")
        with self._lock:
            accepted = 200 <= status < 300 and webhook_id is not None
            repeat = accepted and webhook_id in self.accepted
            if accepted:
                self.accepted.add(webhook_id)
        if repeat:
            if self.echo:
                print(f"[crm] repeat of {webhook_id} dropped -> 200", flush=True)
            return 200
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = body.decode(errors="replace")
        delivery = {
            "received_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "webhook_id": webhook_id,
            "webhook_timestamp": headers.get("webhook-timestamp"),
            "signature": signature,
            "answered": status,
            "headers": headers,
            "body": body.decode(errors="replace"),
            "payload": payload,
        }
        with self._lock:
            self.deliveries.append(delivery)
            if self.log_path is not None:
                with self.log_path.open("a") as log:
                    log.write(json.dumps(delivery) + "\n")
        if self.echo:
            print(describe(delivery), flush=True)
        return status

    def _check_signature(self, headers: dict[str, str], body: bytes) -> str:
        if not self.secret:
            return "not checked (no secret)"
        if "webhook-signature" not in headers:
            return "invalid: unsigned"
        try:
            # Checks the timestamp too: more than 5 minutes off either way is refused.
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as error:
            return f"invalid: {error}"
        except ValueError:  # a garbled signature header (no comma, not base64)
            return "invalid: malformed webhook-signature"
        return "ok"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(sink.receive(dict(self.headers.items()), body))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                text = f"CRM sink: {len(sink.deliveries)} deliveries received\n".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # one line per delivery is printed by receive()

        return Handler


def _accepted_in(log_path: Path | None) -> set[str]:
    if log_path is None or not log_path.exists():
        return set()
    accepted: set[str] = set()
    for line in log_path.read_text().splitlines():
        with contextlib.suppress(ValueError):
            delivery = json.loads(line)
            if 200 <= delivery.get("answered", 0) < 300 and delivery.get("webhook_id"):
                accepted.add(delivery["webhook_id"])
    return accepted


def describe(delivery: dict[str, Any]) -> str:
    """One line a person can read at a glance."""
    payload = delivery["payload"]
    if not isinstance(payload, dict):
        return f"[crm] {delivery['answered']} unreadable body: {str(payload)[:80]!r}"
    if payload.get("type") == "webhook.test":
        return (
            f"[crm] webhook.test  facilitator {payload.get('facilitator')}"
            f"  signature {delivery['signature']}  -> {delivery['answered']}"
            f"  (webhook-id {delivery['webhook_id']})"
        )
    event, user = payload.get("event", {}), payload.get("user", {})
    facilitator = payload.get("facilitator_crm_id")
    return (
        f"[crm] {payload.get('type', 'booking')}  {event.get('name')!r} on {event.get('date')}"
        f"  {user.get('name')} <{user.get('email')}>  facilitator {facilitator}"
        f"  booking {payload.get('booking_id')}  signature {delivery['signature']}"
        f"  -> {delivery['answered']}  (webhook-id {delivery['webhook_id']})"
    )


def main() -> int:
    os.umask(PRIVATE_UMASK)
    data_dir = private_data_dir(Path(os.environ.get("DATA_DIR", ".data")))
    sink = CrmSink(
        port=int(os.environ.get("CRM_SINK_PORT", "8002")),
        secret=os.environ.get("CRM_WEBHOOK_SECRET") or None,
        log_path=data_dir / DELIVERIES_FILE,
    ).start()
    print(f"[crm] listening on {sink.url}; deliveries also in {sink.log_path}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        while not stop.wait(0.5):
            pass
    sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
