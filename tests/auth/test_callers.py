"""``auth.authenticate_with`` takes either kind of caller a service is handed: a token still
to be looked up (its account and revocation ride in the service's own read) or a principal
already authenticated (only the service's items are read)."""

from __future__ import annotations

import pytest

from chalicelib import auth, errors, models
from local.call_counter import count_dynamodb_calls
from tests.support.factories import make_event, make_user, new_event, principal_of, save_all


def token_of(user: models.User) -> auth.VerifiedToken:
    return auth.verify({"authorization": f"Bearer {auth.issue_token(user.user_id)}"})


def test_a_principal_is_handed_back_as_is_and_only_the_extra_items_are_read():
    principal = principal_of(make_user())
    event = make_event()
    key = (models.Event, event.event_id)

    with count_dynamodb_calls() as calls:
        caller, found = auth.authenticate_with(principal, [key])

    assert caller is principal
    assert found[key].event_id == event.event_id
    assert calls == {"BatchGetItem": 1}


def test_a_principal_with_nothing_more_to_read_costs_no_call():
    principal = principal_of(make_user())

    with count_dynamodb_calls() as calls:
        assert auth.authenticate_with(principal, []) == (principal, {})

    assert calls == {}


def test_a_token_reads_its_account_with_the_items_and_more_than_one_batch_takes_after_it():
    user = make_user()
    keys = [(models.Event, event.event_id) for event in make_events(150)]

    with count_dynamodb_calls() as calls:
        principal, found = auth.authenticate_with(token_of(user), keys)

    assert principal.user_id == user.user_id
    assert set(found) == set(keys)
    # 98 ride with the account and the revocation marker, the other 52 follow.
    assert calls == {"BatchGetItem": 2}


def test_a_revoked_token_is_refused_before_any_item_beyond_its_batch_is_read():
    user = make_user()
    token = auth.issue_token(user.user_id)
    auth.revoke(token)
    keys = [(models.Event, event.event_id) for event in make_events(150)]

    with count_dynamodb_calls() as calls, pytest.raises(errors.Unauthorized):
        auth.authenticate_with(auth.verify({"authorization": f"Bearer {token}"}), keys)

    assert calls == {"BatchGetItem": 1}


def make_events(count: int) -> list[models.Event]:
    events = [new_event() for _ in range(count)]
    save_all(events)
    return events
