"""The one loop every change to a waiting line runs in (``bookings.line_retry``): a try that
only collided with another transaction is tried again within the line's own budget, so the
worst case is ``retries.LINE_ATTEMPTS`` TransactWriteItems, never that times the conflict
retries.

DynamoDB Local queues competing transactions instead of cancelling them with
TransactionConflict as AWS does, so the AWS answer is given here by a stand-in for the
commit: the first try (or every try) is refused as AWS would refuse it, and the others go
to DynamoDB Local as usual."""

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib import bookings, models, retries
from chalicelib.bookings import line_retry
from local.call_counter import count_dynamodb_calls
from tests.support.factories import make_event, make_user, principal_of


def conflict(items=2):
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code="TransactionConflict")] * items,
    )
    return TransactWriteError("Failed to write transaction items", cause=cause)


@pytest.fixture
def commits(monkeypatch):
    """Each commit the line loop makes, with how many calls it allowed ``commit`` itself;
    ``conflicting`` tries are refused with TransactionConflict before reaching DynamoDB."""
    made = []
    real_commit = line_retry.commit

    def commit(write, attempts=retries.CONFLICT_ATTEMPTS):
        made.append(attempts)
        if len(made) <= commits.conflicting:
            raise conflict()
        real_commit(write, attempts=attempts)

    commits = type("Commits", (), {"made": made, "conflicting": 0})
    monkeypatch.setattr(line_retry, "commit", commit)
    return commits


def full_event():
    event = make_event(capacity=1)
    event.update(actions=[models.Event.seats_taken.set(1)])
    return event


def test_a_join_that_only_conflicted_gets_in_line_on_its_next_try(commits):
    event = full_event()
    commits.conflicting = 1

    with count_dynamodb_calls() as calls:
        joined = bookings.join_waitlist(principal_of(make_user()), event.event_id)

    assert joined["position"] == 1
    # Each try is one call: the line loop's budget retries the conflict, not commit's.
    assert commits.made == [1, 1]
    assert calls.get("TransactWriteItems") == 1


def test_a_line_whose_every_try_conflicts_is_try_again_after_the_line_budget_alone(commits):
    event = full_event()
    commits.conflicting = 10 * retries.LINE_ATTEMPTS

    with pytest.raises(bookings.Contended):
        bookings.join_waitlist(principal_of(make_user()), event.event_id)

    assert commits.made == [1] * retries.LINE_ATTEMPTS


def test_leaving_and_giving_up_a_seat_retry_conflicts_in_the_same_loop(commits):
    event = make_event(capacity=1)
    seated, waiting = make_user(), make_user()
    seat = bookings.book(principal_of(seated), event.event_id)
    place = bookings.join_waitlist(principal_of(waiting), event.event_id)
    commits.conflicting = len(commits.made) + 1

    left = bookings.cancel(principal_of(waiting), place["booking_id"])
    commits.conflicting = len(commits.made) + 1
    given_up = bookings.cancel(principal_of(seated), seat["booking_id"])

    assert (left["status"], given_up["status"]) == (models.CANCELLED, models.CANCELLED)
    assert commits.made == [1, 1, 1, 1, 1]  # the join, then a conflict and a try for each
    assert models.Event.get(event.event_id, consistent_read=True).seats_taken == 0
