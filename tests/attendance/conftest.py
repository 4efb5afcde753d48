"""A class about to start, its facilitator's account, and people booked into it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from chalicelib import models
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
