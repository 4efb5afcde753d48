"""A class about to start, its facilitator's account, and people booked into it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest

from chalicelib import auth, models
from tests.support.factories import make_event, make_facilitator, make_user


@dataclass
class Studio:
    facilitator: models.Facilitator
    account: models.User
    event: models.Event


def facilitator_account(facilitator: models.Facilitator, name: str = "Fay") -> models.User:
    """An account linked to ``facilitator``, written as the linking route will write it."""
    user = make_user(name=name)
    user.update(
        actions=[
            models.User.role.set(models.ROLE_FACILITATOR),
            models.User.facilitator_id.set(facilitator.facilitator_id),
        ]
    )
    return models.User.get(user.user_id)


@pytest.fixture
def studio(shifted_clock) -> Studio:
    """Frozen at 10 minutes before a one-hour class starts (check-in is open)."""
    shifted_clock.freeze()
    facilitator = make_facilitator()
    event = make_event(timedelta(minutes=10), facilitator=facilitator)
    return Studio(facilitator, facilitator_account(facilitator), event)


def staff_principal(account: models.User) -> auth.Principal:
    """The account as the services see it, without a token (the tests move the clock to
    hours ago, where a token issued would already have expired by the real clock)."""
    return auth.Principal(
        user_id=account.user_id,
        name=account.name,
        email=account.email,
        role=account.role,
        token_id="test",
        token_expires_at=0,
        facilitator_id=account.facilitator_id,
    )


def run_in_parallel(job, times: int) -> list:
    """``job()`` from ``times`` threads released at once; their answers."""
    start = threading.Barrier(times)
    answers: list = []

    def run():
        start.wait()
        answers.append(job())

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers
