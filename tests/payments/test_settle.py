"""The settle_payments job: its steps run in order, and one failing does not stop the next."""

from chalicelib.payments import settle
from local.relay import scheduled_event


def test_the_job_runs_every_step_through_its_lambda(client):
    answer = client.lambda_.invoke("settle_payments", scheduled_event("settle_payments")).payload

    assert answer == {
        "expire_holds": {"expired": 0, "skipped": 0},
        "refunds": {
            "refunded": 0,
            "unavailable": 0,
            "refused": 0,
            "not_tried": 0,
            "left_for_next_run": 0,
            "stuck": 0,
        },
    }


def test_a_failing_step_is_reported_and_the_next_still_runs(monkeypatch):
    def broken():
        raise RuntimeError("Stripe is away")

    monkeypatch.setattr(settle, "STEPS", [("broken", broken), ("after", lambda: {"ran": 1})])

    assert settle.settle_payments() == {"broken": {"failed": "RuntimeError"}, "after": {"ran": 1}}
