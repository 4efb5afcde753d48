"""The booking-rush simulation (bench/rush.py) behind docs/booking-rush.md: properties its
predictions rest on, each of which a wrong model would break."""

import dataclasses
import random

import pytest

from bench import rush

DESIGNS = (rush.CURRENT, rush.PRECHECK, rush.sharded(4), rush.sharded(16), rush.QUEUE)


def arrivals(rate, seconds=2.0, seed=1):
    return rush.poisson_arrivals(rate, seconds, random.Random(seed))


@pytest.mark.parametrize("design", DESIGNS, ids=lambda design: design.name)
def test_without_a_conflict_window_every_request_is_booked(design):
    instant = dataclasses.replace(rush.Assumptions(), conflict_window=0.0)

    outcome = rush.simulate(arrivals(2_000), rush.UNLIMITED, design, instant)

    assert outcome.answers == {rush.BOOKED: outcome.requests}
    assert outcome.requests > 3_000


@pytest.mark.parametrize("design", DESIGNS, ids=lambda design: design.name)
def test_a_rush_never_books_more_seats_than_the_event_has_and_answers_everyone(design):
    for capacity in (1, 7, 24, 250):
        outcome = rush.simulate(arrivals(500), capacity, design)

        assert outcome.seats_taken == outcome.answers.get(rush.BOOKED, 0) <= capacity
        assert sum(outcome.answers.values()) == len(outcome.latencies) == outcome.requests
        assert min(outcome.latencies) > 0


def test_one_hot_counter_turns_people_away_while_seats_are_left_and_shards_do_not():
    crowd = arrivals(500, seconds=4)

    current = rush.simulate(crowd, 1_000, rush.CURRENT)
    shards = rush.simulate(crowd, 1_000, rush.sharded(16))

    assert current.turned_away_with_seats_left > len(crowd) / 2
    assert shards.turned_away_with_seats_left < len(crowd) / 100
    assert shards.seats_taken == 1_000 and current.seats_taken < 1_000


def test_only_the_queue_grants_seats_in_arrival_order_under_contention():
    crowd = arrivals(500)

    assert rush.simulate(crowd, 100, rush.QUEUE).order_kept
    assert not rush.simulate(crowd, 100, rush.CURRENT).order_kept


def test_the_same_seed_predicts_the_same_rush():
    crowd = arrivals(500)

    first, again = (rush.simulate(crowd, 50, rush.sharded(4), seed=3) for _ in range(2))
    other = rush.simulate(crowd, 50, rush.sharded(4), seed=4)

    assert first == again
    assert other.latencies != first.latencies
