"""The payments group of the table of settings: Stripe's keys and endpoints (read by their own
code in ``chalicelib.config``; the two secret keys from SSM on AWS, like the other secrets) and
how long a paid seat or a waiting-list offer is held, and when a refund counts as stuck."""

from __future__ import annotations

from chalicelib.setting_rows import Described, Group, Number

PAYMENTS = Group(
    "Payments (Stripe)",
    (
        Described(
            "STRIPE_SECRET_KEY",
            "unset (`make run`: localstripe's test key)",
            "the Stripe account's secret key (`sk_live_…`/`sk_test_…`); unset → paid "
            "events cannot be booked (503 `payments_unavailable`), free ones work as ever",
        ),
        Described(
            "STRIPE_SECRET_KEY_PARAM",
            "unset (the deploy sets it on the Lambdas that call Stripe)",
            "name of the SSM SecureString holding `STRIPE_SECRET_KEY`",
        ),
        Described(
            "STRIPE_WEBHOOK_SECRET",
            "unset (`make run`: generated into `DATA_DIR/stripe_webhook_secret`)",
            "the signing secret (`whsec_…`) of the Stripe webhook endpoint "
            "`POST /payments/stripe/webhook`; unset → every Stripe webhook is refused",
        ),
        Described(
            "STRIPE_WEBHOOK_SECRET_PARAM",
            "unset (the deploy sets it on the API Lambda)",
            "name of the SSM SecureString holding `STRIPE_WEBHOOK_SECRET`",
        ),
        Described(
            "STRIPE_PUBLISHABLE_KEY",
            "unset (`make run`: localstripe's)",
            "the publishable key (`pk_…`) handed to browsers with a payment to confirm",
        ),
        Described(
            "STRIPE_API_BASE",
            "`https://api.stripe.com`",
            "where Stripe's API is (`make run` and the tests: localstripe)",
        ),
        Described(
            "STRIPE_JS_URL",
            "`https://js.stripe.com/v3/`",
            "the Stripe.js the payment page loads (its origin is the only script origin the "
            "page's CSP allows besides its own; `make run`: localstripe's fake Stripe.js)",
        ),
        Number(
            "STRIPE_TIMEOUT_SECONDS",
            5,
            1,
            30,
            "how long one call to Stripe may take before it counts as Stripe being unreachable",
            field="stripe_timeout_seconds",
        ),
        Number(
            "PAYMENT_HOLD_MINUTES",
            15,
            1,
            60,
            "how long a paid seat is held for its attendee to pay",
            field="payment_hold_minutes",
        ),
        Number(
            "WAITLIST_OFFER_MINUTES",
            720,
            1,
            10_080,
            "how long the first in line has to pay for a seat offered on a paid event (never "
            "past the event's start)",
            field="waitlist_offer_minutes",
        ),
        Number(
            "REFUND_STUCK_ALARM_MINUTES",
            60,
            5,
            1440,
            "a refund still owed after this long counts as stuck (metric `RefundsStuck`, "
            "alarm `refunds-stuck`)",
            field="refund_stuck_alarm_minutes",
        ),
        Number(
            "REFUND_RUN_BUDGET_SECONDS",
            20,
            1,
            30,
            "a `settle_payments` run's refund step stops asking Stripe after this long (the "
            "rest wait for the next run)",
            field="refund_run_budget_seconds",
        ),
    ),
)
