import logging
import os

from bench import settings
from chalicelib import logs


def test_the_benchmark_writes_the_apps_log_lines_to_nowhere():
    with settings._quiet_app_logs():
        handlers = [
            handler
            for handler in logging.getLogger("ahoum").handlers
            if isinstance(handler.formatter, logs.LineFormatter)
        ]
        assert handlers
        assert all(handler.stream.name == os.devnull for handler in handlers)
    assert all(getattr(handler.stream, "name", None) != os.devnull for handler in handlers)
