"""The benchmarks' own code at tiny sizes, so `make bench` cannot rot between runs: each
measure runs end to end and reports no broken guarantee. Speed is what `make bench` prints;
nothing here asserts a time."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench import (
    api,
    calls,
    cold_path,
    cold_start,
    concurrency,
    data,
    event_changes,
    keep_alive,
    overhead,
    reminders,
    runner,
    scaling,
    waitlist_race,
    webhook_latency,
)
from bench.in_process import InProcess


@pytest.fixture
def in_process(client, dynamodb_local, crm):
    return InProcess(client, dynamodb_local.endpoint, crm)


def column(table, name):
    return [row[table.columns.index(name)] for row in table.rows]


def test_calls_benchmark_counts_each_request_within_the_design_budget(in_process):
    table = calls.measure(in_process)

    assert table.failures == []
    assert dict(zip(column(table, "request"), column(table, "calls"), strict=True)) == {
        "register": "2",
        "login": "3",
        "list events": "2",
        "book": "2",
        "my bookings": "2",
        "cancel": "3",
        "join waitlist": "2",
        "cancel with promotion": "4",
        "create a 12-date series": "4",
        "book a 12-date drop-in series": "26",
        "move": "4",
        "stream handler (2 records)": "2 reads, 5 writes",
    }


def test_overhead_benchmark_times_every_step_of_a_flow(in_process):
    table = overhead.measure(in_process, flows=2)

    assert table.failures == []
    assert column(table, "request") == list(api.STEPS)


def test_scaling_benchmark_sees_the_same_calls_at_every_size(in_process):
    table = scaling.measure(in_process, sizes=(20, 60), requests=2)

    assert table.failures == []
    assert column(table, "events") == ["20", "60"]
    assert column(table, "bookings") == ["12", "16"]
    assert set(table.rows[0][4::2] + table.rows[1][4::2]) == {"2 (BatchGetItem, Query)"}


def test_reminders_benchmark_hands_over_each_reminder_once_and_never_scans(in_process):
    table = reminders.measure(in_process, events=4, per_event=3, late=2)

    assert table.failures == []
    assert column(table, "run") == ["first run", "repeated run", "after 2 late bookings"]
    assert column(table, "Scan") == ["0", "0", "0"]
    # One Query of the upcoming index, then one per event: by_event, then awaiting_reminder.
    assert column(table, "reads") == ["5", "5", "5"]
    assert column(table, "writes")[1] == "0"


def test_cancelling_an_event_benchmark_cancels_every_booking_within_budget(in_process):
    table = event_changes.measure(in_process, bookings=5)

    assert table.failures == []
    assert column(table, "cancelled") == ["5 of 5"]


def test_cold_start_benchmark_imports_the_packaged_app():
    starts, package = cold_start.measure(runs=1)

    assert len(starts.rows) == 2
    assert column(package, "≤ 5 MB") == ["met"]
    [bytecode] = column(package, "bytecode")
    shipped, _, sources = bytecode.split()[:3]
    assert shipped == sources


def test_cold_path_benchmark_answers_each_lambdas_first_invocation_from_bytecode():
    path, imports = cold_path.measure(runs=1)

    assert path.failures == []  # a 200, no failed record, signed webhooks, no compile
    assert [row[0].split(":")[0] for row in path.rows] == ["floor", "API", "stream"]
    for cell in column(path, "bytecode")[1:]:
        loaded, _, modules = cell.split()[:3]
        assert loaded == modules and int(modules) > 0
    api_imports = " ".join(column(imports, "API (GET /events/)"))
    assert "chalicelib" in api_imports and "botocore" in api_imports


@pytest.fixture(scope="module")
def make_run():
    with runner.started() as server:
        yield server


def test_make_run_answers_32_clients_registering_at_once(make_run):
    start = threading.Barrier(32)

    def register(_):
        http = api.Api(api.over_http(make_run.base_url, requests.Session()))
        start.wait()
        return http.register(data.unique_email()).status

    with ThreadPoolExecutor(max_workers=32) as pool:
        assert list(pool.map(register, range(32))) == [201] * 32


def test_keep_alive_benchmark_times_every_route_both_ways(make_run):
    table = keep_alive.measure(make_run, requests_per_route=2)

    assert table.failures == []
    assert column(table, "route") == list(keep_alive.ROUTES)


def test_make_run_benchmarks_find_no_5xx_overbooking_or_lost_webhook(make_run):
    flows = concurrency.measure(make_run, levels=(1, 2), flows_per_level=2)
    latency = webhook_latency.latency(make_run, bookings=3)
    backlog = webhook_latency.drain(make_run, backlog=5)

    assert flows.failures == []
    assert column(flows, "flows") == ["2", "2"]
    assert column(flows, "5xx") == ["0", "0"]
    assert column(flows, "booked / seats") == ["1 / 1", "1 / 1"]
    assert latency.failures == [] and backlog.failures == []
    assert column(latency, "delivered") == ["3", "3"]
    assert column(backlog, "deliveries") == ["5 of 5"]


def test_make_run_waitlist_race_promotes_the_first_in_line_once_per_seat(make_run):
    table = waitlist_race.measure(make_run, levels=(3,))

    assert table.failures == []
    assert column(table, "promotions") == ["3"]
    assert column(table, "5xx") == ["0"]
    assert column(table, "first N in line promoted") == ["3 of 3"]
