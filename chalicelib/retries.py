"""Every retry limit of the service in one place: how often each write is tried, why, and how
the loops nest, so the most DynamoDB calls one request can make is read here, not added up
across modules.

The worst cases, in write calls per request (each call may itself be retried by botocore,
``dynamodb.MAX_RETRY_ATTEMPTS`` times, on a throttled or failed connection):

- a booking: ``CONFLICT_ATTEMPTS`` (4), in ``transactions.commit``;
- joining or leaving a waiting line, or giving up a seat: ``LINE_ATTEMPTS`` (40) in all. A try
  cancelled by a moved line and a try cancelled by a conflict spend the same budget (the line
  loop commits each try once instead of through ``commit``'s own retries), so the two loops
  do not multiply: 40, where nesting them made it 40 * 4 = 160;
- a cancellation that finds its waiting booking promoted meanwhile goes on as giving up that
  seat, with a budget of its own: at most 2 * ``LINE_ATTEMPTS``;
- raising an event's capacity: ``CAPACITY_ATTEMPTS`` (10) refused tries, each one GetItem and
  one UpdateItem, or one ``commit`` (up to ``CONFLICT_ATTEMPTS``) when it promotes: at most
  10 * (1 + 4) refused calls, plus one round (a transaction and a GetItem) per 99 people it
  seats, which counts as progress, not as a try (a line of 5,000 takes 51). It is not the
  line loop of the bookings (``bookings.line_retry``): its write is a plain UpdateItem when
  nobody is promoted (which hands nothing back on a refusal, so the event is read again) or
  the event with up to 99 promoted bookings, never one caller's booking and the event; a
  committed round may still leave work; and an admin's write is not part of a wave of
  people, so it needs no pause.

Reads retry too, but not here: a BatchGetItem asks again for the keys DynamoDB left
unprocessed up to the setting ``DYNAMODB_BATCH_GET_ATTEMPTS`` times (``config.py``; a
setting because how long to wait out throttling is a deployment's choice), and the login and
registration counters retry their own conflicts (``throttling``).
"""

from __future__ import annotations

# On AWS a transaction touching an item another transaction is writing is cancelled with
# TransactionConflict (DynamoDB Local queues them instead); a rush for one event's seats
# makes that common, and a short jittered retry turns it into the real answer. Four tries
# with a pause of up to 20 ms doubling wait at most 140 ms in all before answering try_again.
CONFLICT_ATTEMPTS = 4
CONFLICT_PAUSE_SECONDS = 0.02

# A transaction on the line is tried again when the line moved between reading it and
# writing (someone joined, left or was promoted): each try hands back the line as it is now.
# A wave of N people joining at once needs up to N tries for the last of them; a short
# jittered pause between tries (2 ms doubling, at most 50 ms) spreads a wave out so that the
# tries do not collide again. With 40, a wave of up to 40 people joining at once all get in
# line; beyond that the last ones are answered try_again rather than kept waiting.
LINE_ATTEMPTS = 40
LINE_PAUSE_SECONDS = 0.002
LINE_PAUSE_MOST_SECONDS = 0.05

# A capacity change is tried again when bookings, the line or the seat count moved between
# reading the event and writing it; only admins raise capacity, so ten refusals in a row
# mean a rush worth answering "try again" rather than waiting out.
CAPACITY_ATTEMPTS = 10
