"""Where one step's time goes, in process: pyinstrument over many requests of that step of
the user flow, in the same setting as the overhead measure. Not part of `make bench`: it is
how bench/RESULTS.md's closing note finds what dominates a missed goal.

    python -m bench.profile register          # or login, "list events", book, ...
    python -m bench.profile cancel 500        # how many requests (200)
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from pyinstrument import Profiler

from bench import api, in_process

REQUESTS = 200
SAMPLE_SECONDS = 0.0002


def profile(app: in_process.InProcess, step: str, requests: int) -> Profiler:
    from bench import data

    profiler = Profiler(interval=SAMPLE_SECONDS)
    event_id = data.new_event(capacity=2)

    def watch(name: str, request: Callable[[], api.Answer]) -> api.Answer:
        if name != step:
            return request()
        profiler.start()
        try:
            return request()
        finally:
            profiler.stop()

    api.user_flow(app.api, data.unique_email(), event_id)
    for _ in range(requests):
        api.user_flow(app.api, data.unique_email(), event_id, watch=watch)
    return profiler


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in api.STEPS:
        print(f"usage: python -m bench.profile STEP [REQUESTS]; STEP is one of {api.STEPS}")
        return 2
    requests = int(argv[1]) if len(argv) > 1 else REQUESTS
    with in_process.started() as app:
        profiler = profile(app, argv[0], requests)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
