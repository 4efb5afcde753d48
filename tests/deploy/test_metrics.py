"""Business metrics as CloudWatch Embedded Metric Format lines (the alarms read them)."""

import json
import time

import pytest

from chalicelib import metrics


def check_emf(document):
    """The rules of the EMF specification a line must keep for CloudWatch to extract it."""
    directive = document["_aws"]
    assert isinstance(directive["Timestamp"], int)
    for entry in directive["CloudWatchMetrics"]:
        assert entry["Namespace"]
        for dimension_set in entry["Dimensions"]:
            assert 0 < len(dimension_set) <= 30
            for dimension in dimension_set:
                assert isinstance(document[dimension], str)
        for metric in entry["Metrics"]:
            assert isinstance(document[metric["Name"]], int | float)
            assert metric["Unit"] in {"Count", "Seconds", "Milliseconds", "None"}


@pytest.mark.parametrize("name", sorted(metrics.UNITS))
def test_each_metric_is_a_valid_emf_document_in_the_stage_dimension(name):
    document = metrics.document(name, 3, "prod", 1_767_225_600_000)
    check_emf(document)
    assert document["_aws"]["CloudWatchMetrics"] == [
        {
            "Namespace": "AhoumBookings",
            "Dimensions": [["Stage"]],
            "Metrics": [{"Name": name, "Unit": metrics.UNITS[name]}],
        }
    ]
    assert document["Stage"] == "prod" and document[name] == 3


def test_counts_are_counts_and_the_retrier_s_oldest_due_age_is_in_seconds():
    ages = {metrics.RETRIER_OLDEST_DUE_AGE}
    assert {name for name, unit in metrics.UNITS.items() if unit == "Seconds"} == ages
    assert {unit for name, unit in metrics.UNITS.items() if name not in ages} == {"Count"}


def test_emit_writes_one_compact_json_line_stamped_now_for_the_running_stage():
    lines = []
    before = int(time.time() * 1000)
    metrics.emit(metrics.WEBHOOKS_GIVEN_UP, write=lines.append)
    (line,) = lines
    assert "\n" not in line and ", " not in line
    document = json.loads(line)
    check_emf(document)
    assert document["Stage"] == "test"  # the test session's stage
    assert document[metrics.WEBHOOKS_GIVEN_UP] == 1
    assert before <= document["_aws"]["Timestamp"] <= int(time.time() * 1000)


def test_emit_goes_to_stdout_by_default(capsys):
    metrics.emit(metrics.RETRIER_BACKLOG, 7)
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)[metrics.RETRIER_BACKLOG] == 7


def test_an_unknown_metric_is_refused_rather_than_sent_nowhere():
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.document("BookingsConfirmd", 1, "prod", 0)


def test_importing_the_module_reads_no_settings():
    import subprocess
    import sys

    from chalice_config import REPO_ROOT

    probe = "import sys; from chalicelib import metrics; print('chalicelib.config' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={"PATH": "", "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_make_run_writes_no_metric_lines_to_its_terminal(monkeypatch):
    from chalicelib.config import get_settings

    lines = []
    monkeypatch.setenv("STAGE", metrics.QUIET_STAGE)
    get_settings.cache_clear()
    try:
        metrics.emit(metrics.BOOKINGS_CONFIRMED, write=lines.append)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert lines == []
    metrics.emit(metrics.BOOKINGS_CONFIRMED, write=lines.append)
    assert len(lines) == 1
