"""`make bench`: every measure, then ``bench/RESULTS.md``.

    python -m bench                  # every measure, and the results file
    python -m bench calls scaling    # some of them, printed only

Exits 1 on a correctness failure (a 5xx, a duplicate, a budget breach), never on a slow
number.
"""

from __future__ import annotations

import sys
import time

from bench import cli, results


def main(argv: list[str]) -> int:
    if argv:
        return cli.main(argv)
    about = results.machine()
    for name, value in about:
        print(f"{name}: {value}")
    print(flush=True)
    started = time.monotonic()
    tables = cli.run(list(cli.MEASURES))
    seconds = time.monotonic() - started
    path = results.write(tables, about, seconds)
    print(f"Written to {path.relative_to(path.parent.parent)} ({seconds / 60:.1f} min)")
    return cli.exit_status(tables)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
