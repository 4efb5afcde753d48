"""localstripe's server, started this project's way (``python -m local.localstripe_server``).

Two things differ from localstripe's own ``start()``: it listens on 127.0.0.1 only (its own
listens on every interface), and it keeps its objects in a file this run names, written
whole and then renamed into place. localstripe's own file is one fixed path in the system's
temporary directory, rewritten by every localstripe on the machine at each change, so a test
run beside ``make run`` left it a torn file that the next ``make run`` could not read.
Without ``--state-file`` nothing is kept (the tests start from scratch).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
from pathlib import Path

from aiohttp import web
from localstripe import resources, server

log = logging.getLogger("localstripe")


def keep_state_in(path: Path | None) -> None:
    """Make localstripe's store load from and save to ``path`` (None: keep nothing)."""
    store_class = type(resources.store)

    def load(store: dict) -> None:
        if path is None or not path.exists():
            return
        try:
            with path.open("rb") as file:
                kept = pickle.load(file)  # our own file, in DATA_DIR (0600)
        except (EOFError, pickle.UnpicklingError, AttributeError) as error:
            log.warning("localstripe: %s unreadable (%s); starting empty", path, error)
            return
        store.clear()
        store.update(kept)

    def save(store: dict) -> None:
        if path is None:
            return
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as file:
            pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)

    store_class.try_load_from_disk = load
    store_class.dump_to_disk = save


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-file", type=Path, default=None)
    arguments = parser.parse_args()
    keep_state_in(arguments.state_file)
    resources.store.try_load_from_disk()
    web.run_app(server.app, host="127.0.0.1", port=arguments.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
