"""Measure 7: a booking rush on one event, simulated (docs/booking-rush.md explains it).

On AWS a transaction that touches an item another transaction is committing is cancelled
with ``TransactionConflict``; DynamoDB Local queues them instead, so a rush cannot be
measured here. This is a discrete-event simulation of one event's bookings: requests
arrive (Poisson), read the event (BatchGetItem), then run the booking transaction with
the retry policy of ``chalicelib/retries.py`` (4 attempts, full-jitter backoff of 20 ms
doubling). It predicts how many are booked, refused as full, or told ``try_again``, and the
latency percentiles, for the current design and the variants the document proposes.

Deterministic for a seed, about 5 s for every table.

    python -m bench.rush
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench import cli
from bench.report import Table, percentile
from chalicelib import retries

NEEDS = cli.NOTHING
SEED = 17
RATES = (10, 100, 500, 2_000)
GRID_SECONDS = 10.0
UNLIMITED = 10**9

BOOKED = "booked"
FULL = "event_full"
TRY_AGAIN = "try_again"


@dataclass(frozen=True)
class Assumptions:
    """What the simulation takes as given; docs/booking-rush.md says where each comes from."""

    read_median: float = 0.004  # BatchGetItem (event, user, revoked jti), log-normal
    read_sigma: float = 0.3
    one_way: float = 0.002  # Lambda → DynamoDB transaction coordinator → the item
    conflict_window: float = 0.010  # a committing transaction holds the item this long
    reply: float = 0.002  # item → Lambda, for every answer
    handler: float = 0.003  # the rest of the request in the Lambda (JWT, parsing, JSON)
    attempts: int = retries.CONFLICT_ATTEMPTS  # the service's own, so the two cannot drift
    backoff: float = retries.CONFLICT_PAUSE_SECONDS  # doubling, full jitter


@dataclass(frozen=True)
class Design:
    name: str
    shards: int = 1  # seat counters the capacity is split over
    precheck: bool = False  # answer event_full from the read, without a transaction
    queue_batch: int = 0  # > 0: one writer per event, this many bookings per transaction
    queue_receive: float = 0.015  # the writer's wait for its next batch (SQS FIFO receive)
    queue_notify: float = 0.010  # the result reaching the waiting request


CURRENT = Design("current: one counter on the event item")
PRECHECK = Design("current + refuse from the read when full", precheck=True)


def sharded(shards: int) -> Design:
    return Design(f"{shards} seat shards + refuse from the read", shards=shards, precheck=True)


QUEUE = Design("queue: one writer per hot event, 99 per transaction", precheck=True, queue_batch=99)


@dataclass
class Outcome:
    design: Design
    requests: int
    capacity: int
    answers: dict[str, int]
    latencies: list[float]
    seats_taken: int
    # try_again answered while seats were still left: people turned away by contention alone
    turned_away_with_seats_left: int
    sold_out_at: float | None
    transactions: int  # attempts that reached DynamoDB
    order_kept: bool  # bookings were granted in arrival order

    def share(self, answer: str) -> float:
        return self.answers.get(answer, 0) / self.requests if self.requests else 0.0


@dataclass(order=True)
class _Step:
    at: float
    order: int
    run: Callable[[], None] = field(compare=False)


class _Clock:
    def __init__(self) -> None:
        self._steps: list[_Step] = []
        self._order = itertools.count()
        self.now = 0.0

    def at(self, moment: float, run: Callable[[], None]) -> None:
        heapq.heappush(self._steps, _Step(moment, next(self._order), run))

    def run(self) -> None:
        while self._steps:
            step = heapq.heappop(self._steps)
            self.now = step.at
            step.run()


@dataclass
class _Shard:
    capacity: int
    taken: int = 0
    busy_until: float = 0.0

    @property
    def has_seats(self) -> bool:
        return self.taken < self.capacity


def poisson_arrivals(rate: float, seconds: float, rng: random.Random) -> list[float]:
    """Arrival times of a Poisson process at ``rate`` per second for ``seconds``."""
    arrivals, moment = [], 0.0
    while True:
        moment += rng.expovariate(rate)
        if moment >= seconds:
            return arrivals
        arrivals.append(moment)


def opening_rush(people: int, seconds: float, decay: float, rng: random.Random) -> list[float]:
    """``people`` arrivals within ``seconds`` whose rate decays with time constant ``decay``
    (most come in the first seconds after the opening, fewer later)."""
    kept = 1 - math.exp(-seconds / decay)
    return sorted(-decay * math.log(1 - rng.random() * kept) for _ in range(people))


def simulate(
    arrivals: list[float],
    capacity: int,
    design: Design = CURRENT,
    assumptions: Assumptions = Assumptions(),
    seed: int = SEED,
) -> Outcome:
    """Every request of ``arrivals`` (seconds, sorted) against one event of ``capacity``."""
    if design.queue_batch:
        return _simulate_queue(arrivals, capacity, design, assumptions, seed)
    rng = random.Random(seed)
    clock = _Clock()
    shards = [
        _Shard(capacity // design.shards + (k < capacity % design.shards))
        for k in range(design.shards)
    ]
    answers: dict[str, int] = {}
    latencies: list[float] = []
    turned_away = 0
    transactions = 0
    sold_out_at: list[float] = []
    granted: list[float] = []
    a = assumptions

    def seats_left() -> bool:
        return any(shard.has_seats for shard in shards)

    def answer(arrived: float, kind: str) -> None:
        nonlocal turned_away
        answers[kind] = answers.get(kind, 0) + 1
        latencies.append(clock.now + a.handler - arrived)
        if kind == TRY_AGAIN and seats_left():
            turned_away += 1

    def request(arrived: float) -> Iterator[float]:
        """One booking request; each ``yield`` is how long it waits for what comes next."""
        nonlocal transactions
        yield rng.lognormvariate(math.log(a.read_median), a.read_sigma)
        # What the read saw: which shards still had seats.
        open_shards = [k for k, shard in enumerate(shards) if shard.has_seats]
        if design.precheck and not open_shards:
            answer(arrived, FULL)
            return
        candidates = open_shards or list(range(len(shards)))
        for attempt in range(a.attempts):
            shard_index = rng.choice(candidates)
            shard = shards[shard_index]
            transactions += 1
            yield a.one_way
            if shard.busy_until > clock.now:
                outcome = TRY_AGAIN  # TransactionConflict: cancelled, may be retried
            elif not shard.has_seats:
                outcome = FULL  # ConditionalCheckFailed on this counter
            else:
                shard.taken += 1
                shard.busy_until = clock.now + a.conflict_window
                granted.append(arrived)
                if not seats_left():
                    sold_out_at.append(clock.now)
                outcome = BOOKED
            yield (a.conflict_window if outcome == BOOKED else 0.0) + a.reply
            if outcome == BOOKED:
                answer(arrived, BOOKED)
                return
            if outcome == FULL:
                candidates = [k for k in candidates if k != shard_index]
                if not candidates:
                    answer(arrived, FULL)
                    return
                continue  # another shard the read saw with seats, at once
            if attempt < a.attempts - 1:
                yield rng.uniform(0, a.backoff * 2**attempt)
        answer(arrived, TRY_AGAIN)

    def driven(steps: Iterator[float]) -> Callable[[], None]:
        def step() -> None:
            for wait in steps:
                clock.at(clock.now + wait, step)
                return

        return step

    for arrived in arrivals:
        clock.at(arrived, driven(request(arrived)))
    clock.run()
    return Outcome(
        design=design,
        requests=len(arrivals),
        capacity=capacity,
        answers=answers,
        latencies=latencies,
        seats_taken=sum(shard.taken for shard in shards),
        turned_away_with_seats_left=turned_away,
        sold_out_at=sold_out_at[0] if sold_out_at else None,
        transactions=transactions,
        order_kept=granted == sorted(granted),
    )


def _simulate_queue(
    arrivals: list[float], capacity: int, design: Design, a: Assumptions, seed: int
) -> Outcome:
    """One writer per event takes the waiting bookings in arrival order, up to a batch per
    transaction (the bookings and one counter update: no other transaction touches the
    counter, so nothing conflicts); each request waits for its result."""
    rng = random.Random(seed)
    ready = sorted(
        arrived + rng.lognormvariate(math.log(a.read_median), a.read_sigma) + a.one_way
        for arrived in arrivals
    )
    by_ready = sorted(range(len(arrivals)), key=lambda n: ready[n])
    answers: dict[str, int] = {}
    latencies: list[float] = []
    taken = 0
    sold_out_at = None
    moment = 0.0
    index = 0
    transactions = 0
    while index < len(by_ready):
        moment = max(moment, ready[by_ready[index]]) + design.queue_receive
        batch = []
        while index < len(by_ready) and ready[by_ready[index]] <= moment:
            batch.append(by_ready[index])
            index += 1
            if len(batch) == design.queue_batch:
                break
        seats = max(capacity - taken, 0)
        winners, refused = batch[:seats], batch[seats:]
        if winners:
            transactions += 1
            moment += a.one_way + a.conflict_window + a.reply
        taken += len(winners)
        if taken >= capacity and sold_out_at is None:
            sold_out_at = moment
        for number in winners:
            answers[BOOKED] = answers.get(BOOKED, 0) + 1
            latencies.append(moment + design.queue_notify + a.handler - arrivals[number])
        for number in refused:
            answers[FULL] = answers.get(FULL, 0) + 1
            latencies.append(moment + design.queue_notify + a.handler - arrivals[number])
    return Outcome(
        design=design,
        requests=len(arrivals),
        capacity=capacity,
        answers=answers,
        latencies=latencies,
        seats_taken=taken,
        turned_away_with_seats_left=0,
        sold_out_at=sold_out_at,
        transactions=transactions,
        order_kept=True,
    )


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _latencies(outcome: Outcome) -> str:
    values = outcome.latencies
    return " / ".join(_ms(percentile(values, share)) for share in (0.5, 0.95, 0.99))


def grid_table(
    rates: tuple[int, ...] = RATES,
    seconds: float = GRID_SECONDS,
    designs: tuple[Design, ...] = (CURRENT, sharded(16)),
    assumptions: Assumptions = Assumptions(),
) -> Table:
    table = Table(
        f"7. Booking rush, simulated: one event, seats never run out ({seconds:.0f} s per rate)",
        ["design", "bookings/s", "booked", "try_again", "p50 / p95 / p99", "transactions/s"],
    )
    for design in designs:
        for rate in rates:
            arrivals = poisson_arrivals(rate, seconds, random.Random(SEED + rate))
            outcome = simulate(arrivals, UNLIMITED, design, assumptions)
            table.add(
                design.name,
                f"{rate:,}",
                _percent(outcome.share(BOOKED)),
                _percent(outcome.share(TRY_AGAIN)),
                _latencies(outcome),
                f"{outcome.transactions / seconds:,.0f}",
            )
    table.notes.append(_assumed(assumptions))
    return table


def scenario_table(
    title: str, arrivals: list[float], capacity: int, designs: tuple[Design, ...]
) -> Table:
    table = Table(
        title,
        [
            "design",
            "booked / seats",
            "event_full",
            "try_again (with seats left)",
            "sold out after",
            "p50 / p95 / p99",
            "in arrival order",
        ],
    )
    for design in designs:
        outcome = simulate(arrivals, capacity, design)
        sold_out = f"{outcome.sold_out_at:.2f} s" if outcome.sold_out_at is not None else "never"
        table.add(
            design.name,
            f"{outcome.seats_taken:,} / {capacity:,}",
            f"{outcome.answers.get(FULL, 0):,}",
            f"{outcome.answers.get(TRY_AGAIN, 0):,} ({outcome.turned_away_with_seats_left:,})",
            sold_out,
            _latencies(outcome),
            "yes" if outcome.order_kept else "no",
        )
        if outcome.seats_taken > capacity:
            table.fail(f"{design.name}: {outcome.seats_taken} seats taken of {capacity}")
    return table


def sensitivity_table(rate: int = 500, seconds: float = GRID_SECONDS) -> Table:
    """How much the answer depends on the one number AWS does not publish."""
    table = Table(
        f"7. Booking rush: the conflict window assumed ({rate} bookings/s, seats never run out)",
        ["conflict window", "current: booked", "16 shards: booked", "current p99", "16 shards p99"],
    )
    arrivals = poisson_arrivals(rate, seconds, random.Random(SEED + rate))
    for window in (0.005, 0.010, 0.020, 0.040):
        assumed = dataclasses.replace(Assumptions(), conflict_window=window)
        current = simulate(arrivals, UNLIMITED, CURRENT, assumed)
        shards = simulate(arrivals, UNLIMITED, sharded(16), assumed)
        table.add(
            _ms(window),
            _percent(current.share(BOOKED)),
            _percent(shards.share(BOOKED)),
            _ms(percentile(current.latencies, 0.99)),
            _ms(percentile(shards.latencies, 0.99)),
        )
    return table


def _assumed(a: Assumptions) -> str:
    return (
        f"Assumed (docs/booking-rush.md): read {_ms(a.read_median)} median, "
        f"{_ms(a.one_way)} to the item and {_ms(a.reply)} back, a committing transaction "
        f"holds the item {_ms(a.conflict_window)}, {_ms(a.handler)} in the handler; "
        f"{a.attempts} attempts, backoff up to {_ms(a.backoff)}, doubling. "
        "Latency is the API Lambda's, without API Gateway."
    )


def run(_: None) -> list[Table]:
    rng = random.Random(SEED)
    retreat = opening_rush(people=5_000, seconds=60, decay=10, rng=rng)
    session = poisson_arrivals(500, 10, random.Random(SEED + 1))
    designs = (CURRENT, PRECHECK, sharded(4), sharded(16), QUEUE)
    return [
        grid_table(),
        scenario_table(
            "7. Booking rush: a retreat opens, 5,000 people in the first minute for 24 seats",
            retreat,
            24,
            (CURRENT, PRECHECK, sharded(4), QUEUE),
        ),
        scenario_table(
            "7. Booking rush: a 1,000-seat online session, 500 requests/s for 10 s",
            session,
            1_000,
            designs,
        ),
        sensitivity_table(),
    ]


if __name__ == "__main__":
    sys.exit(cli.main(["rush"]))
