"""localstripe: a stateful Stripe API on this machine, which sends signed webhooks.

``make run`` starts it on ``STRIPE_LOCAL_PORT`` with what it kept in ``DATA_DIR`` from the last
run (so a paid booking made then can still be refunded), the tests on a free port from
scratch; both through ``local.localstripe_server`` (127.0.0.1 only, a state file of its
own). The app is pointed at it (``STRIPE_API_BASE``) and its webhook endpoint registered with
the app's ``STRIPE_WEBHOOK_SECRET``. Stripe.js for browsers is its fake ``/js.stripe.com/v3/``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import requests

from local import processes
from local.dynamodb_local import free_port
from local.paths import REPO_ROOT

# Any key of this shape is accepted by localstripe; it only checks the prefix.
SECRET_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_ENDPOINT_ID = "ahoum"
# Stripe's test card that always succeeds (4000000000000002 is always declined).
TEST_CARD = "4242424242424242"


class LocalStripeError(RuntimeError):
    pass


class LocalStripe:
    """One localstripe process. ``start()`` returns once it answers requests."""

    def __init__(self, port: int | None = None, state_file: Path | None = None) -> None:
        self.port = port or free_port()
        # Where its objects are kept between runs (None: nothing is kept).
        self.state_file = state_file
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stripe_js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    def start(self) -> str:
        kept = ["--state-file", str(self.state_file)] if self.state_file else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.localstripe_server", "--port", str(self.port), *kept],
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        try:
            processes.wait_until(self._answers, "localstripe", self._exited, interval=0.1)
        except processes.NotReady as error:
            self.stop()
            raise LocalStripeError(str(error)) from None
        return self.url

    def send_webhooks_to(self, url: str, secret: str) -> None:
        """Register (or replace) the endpoint every event is POSTed to, signed with ``secret``."""
        response = requests.post(
            f"{self.url}/_config/webhooks/{WEBHOOK_ENDPOINT_ID}",
            json={"url": url, "secret": secret},
            timeout=5,
        )
        if response.status_code != 200:
            raise LocalStripeError(f"localstripe refused the webhook endpoint: {response.text}")

    def _answers(self) -> bool:
        try:
            response = requests.get(f"{self.url}/v1/balance", auth=(SECRET_KEY, ""), timeout=1)
        except requests.RequestException:
            return False
        return response.status_code < 500

    def _exited(self) -> str | None:
        if self.process is None or self.process.poll() is None:
            return None
        self._stderr.seek(0)
        return (
            f"localstripe exited at start: {self._stderr.read().decode(errors='replace')[-2000:]}"
        )

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process)
        self.process = None


def pay_with_card(
    stripe_url: str, payment_intent_id: str, card: str = TEST_CARD, timeout: float = 10
) -> dict[str, Any]:
    """What Stripe.js does with a card in the browser: a card PaymentMethod, attached to the
    PaymentIntent, then confirmed. The confirmed PaymentIntent (``status`` succeeded, or
    requires_payment_method for a declined card); localstripe then sends its webhook."""
    auth = (SECRET_KEY, "")
    with requests.Session() as session:
        method = session.post(
            f"{stripe_url}/v1/payment_methods",
            data={
                "type": "card",
                "card[number]": card,
                "card[exp_month]": 12,
                "card[exp_year]": 2040,
                "card[cvc]": "123",
            },
            auth=auth,
            timeout=timeout,
        ).json()
        session.post(
            f"{stripe_url}/v1/payment_intents/{payment_intent_id}",
            data={"payment_method": method["id"]},
            auth=auth,
            timeout=timeout,
        ).raise_for_status()
        return session.post(
            f"{stripe_url}/v1/payment_intents/{payment_intent_id}/confirm",
            auth=auth,
            timeout=timeout,
        ).json()
