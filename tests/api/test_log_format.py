"""LOG_FORMAT: JSON lines (AWS: metric filters and Logs Insights read their fields) or one
readable line per record (`make run`, `chalice local`)."""

import json
import logging
import re

from chalicelib import logs


def test_json_is_the_default_and_a_request_line_keeps_its_fields(client, log_output):
    assert client.http.get("/health").status_code == 200
    line = json.loads(log_output.getvalue().splitlines()[-1])
    assert line["message"] == "request" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/health", 200)
    assert isinstance(line["ms"], float) and line["request_id"]


def test_text_format_writes_a_request_as_method_path_status_and_time(client, configure, log_output):
    configure(LOG_FORMAT="text")
    assert client.http.get("/health").status_code == 200
    assert client.http.get("/no/such/route").status_code in (403, 404)
    lines = log_output.getvalue().splitlines()
    assert re.fullmatch(r"GET /health 200 \d+ ms", lines[0]), lines
    assert not any(line.lstrip().startswith("{") for line in lines)


def _formatted(message, level=logging.INFO, **fields):
    record = logging.makeLogRecord(
        {
            "name": "ahoum.webhooks",
            "msg": message,
            "levelno": level,
            "levelname": logging.getLevelName(level),
            "fields": fields,
        }
    )
    return logs.LineFormatter().format(record)


def test_text_format_writes_a_webhook_attempt_and_other_records_in_one_short_line(configure):
    configure(LOG_FORMAT="text")
    delivered = _formatted(
        "webhook attempt",
        delivery_id="01B.booking.confirmed",
        status=204,
        error=None,
        state="delivered",
        ms=35.4,
    )
    assert delivered == "webhook 01B.booking.confirmed 204 delivered 35 ms"
    refused = _formatted(
        "webhook attempt",
        delivery_id="01B.booking.confirmed",
        status=None,
        error="ConnectionError to https://crm.example.com/hook?token=s3cret",
        state="pending",
        ms=1002.0,
    )
    assert refused.startswith("webhook 01B.booking.confirmed no answer pending 1002 ms (")
    assert "s3cret" not in refused
    lost = _formatted("webhook claim lost", logging.WARNING, delivery_id="01B.booking.confirmed")
    assert lost == "warning: webhook claim lost (delivery_id=01B.booking.confirmed)"


def test_json_format_of_a_webhook_attempt_keeps_the_fields_metric_filters_read(configure):
    configure(LOG_FORMAT="json")
    line = json.loads(
        _formatted(
            "webhook attempt",
            delivery_id="d",
            status=500,
            error="HTTP 500",
            state="pending",
            ms=3.0,
        )
    )
    assert line == {
        "level": "INFO",
        "logger": "ahoum.webhooks",
        "message": "webhook attempt",
        "delivery_id": "d",
        "status": 500,
        "error": "HTTP 500",
        "state": "pending",
        "ms": 3.0,
    }
