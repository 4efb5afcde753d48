"""A facilitator's CRM endpoint in the browser: an admin's console page and a facilitator's
own page show its URL and state, set, rotate and test it (CSRF-checked forms), and show a new
secret on the answer to the form that made it, never on a later page."""

from __future__ import annotations

import re

from chalicelib import models
from chalicelib.web import console
from chalicelib.webhooks import routing
from tests.support.browser import text
from tests.support.factories import make_admin, make_facilitator, make_user

ROOT = console.ROOT


def shown_secret(page) -> str | None:
    found = re.search(r'<code class="secret">(whsec_[^<]+)</code>', text(page))
    return found.group(1) if found else None


def facilitator_account(facilitator):
    user = make_user(role=models.ROLE_FACILITATOR, name="Fay")
    user.facilitator_id = facilitator.facilitator_id
    user.save()
    return user


def test_an_admin_sets_rotates_and_tests_an_endpoint_and_sees_each_secret_once(browser):
    facilitator = make_facilitator()
    admin = browser.as_user(make_admin())
    page = f"{ROOT}/facilitators/{facilitator.facilitator_id}/webhook"
    assert "Not set" in text(admin.get(page))

    refused = admin.submit(page, page, {"url": "not a url"})
    assert refused.status_code == 400 and shown_secret(refused) is None
    made = admin.submit(page, page, {"url": "http://127.0.0.1:9/hooks"})
    first = shown_secret(made)
    assert first == routing.endpoint_for(facilitator.facilitator_id).secret
    rotated = admin.submit(page, f"{page}/rotate", {})
    second = shown_secret(rotated)
    assert second not in (None, first)
    assert "Old secret signs too until" in text(rotated)

    tested = admin.follow(admin.submit(page, f"{page}/test", {}))
    assert "Test delivery queued" in text(tested)
    [queued] = models.WebhookDelivery.due.query(models.PENDING)
    assert queued.delivery_id.endswith(".webhook.test")
    for later in (tested, admin.get(page), admin.get(f"{ROOT}/facilitators")):
        assert "Active" in text(later) or "CRM endpoint" in text(later)
        assert first not in text(later) and second not in text(later)


def test_a_facilitator_manages_only_their_own_endpoint_and_sees_it_disabled(browser):
    facilitator, another = make_facilitator(), make_facilitator("Bob")
    facilitator_account(another)
    mine = browser.as_user(facilitator_account(facilitator))
    made = mine.submit(
        "/facilitator/webhook", "/facilitator/webhook", {"url": "http://127.0.0.1:9/h"}
    )
    assert shown_secret(made)
    assert models.Facilitator.get(facilitator.facilitator_id).webhook_url == "http://127.0.0.1:9/h"
    assert models.Facilitator.get(another.facilitator_id).webhook_url is None

    routing.disable(routing.endpoint_for(facilitator.facilitator_id))
    assert "Disabled: it answered 410 Gone" in text(mine.get("/facilitator/webhook"))
    # The console's page of a facilitator is the admins'; a plain account has no own page.
    assert mine.get(f"{ROOT}/facilitators/{another.facilitator_id}/webhook").status_code == 403
    assert browser.as_user(make_user(name="Sam")).get("/facilitator/webhook").status_code == 403
