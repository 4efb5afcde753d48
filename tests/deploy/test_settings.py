import dataclasses
import re

import pytest

from chalicelib import configuration_page, settings_table
from chalicelib.config import (
    PARAMETER_SUFFIX,
    SECRET_READERS,
    ConfigError,
    Settings,
    load_settings,
)
from local import api_server
from local.paths import REPO_ROOT

LIMITS = {
    "MAX_BODY_KB": ("0", "1025"),
    "TOKEN_LIFETIME_MINUTES": ("4", "1441"),
    "WEBHOOK_RETRY_DAYS": ("0", "31"),
    "STREAM_SEND_CONCURRENCY": ("0", "26"),
    "STREAM_SEND_BUDGET_SECONDS": ("-1", "101"),
    "RETRIER_BUDGET_SECONDS": ("0", "41"),
    "REMINDER_SEND_BUDGET_SECONDS": ("-1", "101"),
    "REMINDER_RUN_BUDGET_SECONDS": ("0", "101"),
}


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in LIMITS.items() for value in values]
)
def test_a_limit_outside_its_range_stops_the_start_naming_it(name, value, tmp_path):
    with pytest.raises(ConfigError, match=name):
        load_settings({"STAGE": "test", "DATA_DIR": str(tmp_path), name: value})


# Every whole-number setting's bounds as they were when each had its own line in config.py.
BOUNDS = {
    "BCRYPT_ROUNDS": (4, 31),
    "DYNAMODB_BATCH_GET_ATTEMPTS": (1, 20),
    "DYNAMODB_BATCH_GET_BASE_DELAY_MS": (0, 1000),
    "WAITLIST_MAX": (0, 5000),
    "REMINDER_HOURS_BEFORE": (1, 336),
    "CALENDAR_FEED_PAST_DAYS": (1, 366),
    "STREAM_SEND_CONCURRENCY": (1, 25),
    "MAX_BODY_KB": (1, 1024),
    "TOKEN_LIFETIME_MINUTES": (5, 1440),
    "WEBHOOK_RETRY_DAYS": (1, 30),
    "STREAM_SEND_BUDGET_SECONDS": (0, 100),
    "RETRIER_BUDGET_SECONDS": (1, 40),
    "REMINDER_SEND_BUDGET_SECONDS": (0, 100),
    "REMINDER_RUN_BUDGET_SECONDS": (1, 100),
    "THROTTLE_LOGIN_WINDOW_SECONDS": (1, 86_400),
    "THROTTLE_LOGINS_PER_EMAIL_AND_IP": (1, 10**6),
    "THROTTLE_LOGINS_PER_EMAIL": (1, 10**6),
    "THROTTLE_KNOWN_ADDRESS_DAYS": (1, 365),
    "THROTTLE_IP_WINDOW_SECONDS": (1, 86_400),
    "THROTTLE_IP_LOGINS": (1, 10**9),
    "THROTTLE_IP_REGISTRATIONS": (1, 10**9),
}


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_each_bound_is_accepted_and_one_past_it_is_an_error_naming_both_ends(name, tmp_path):
    lowest, highest = BOUNDS[name]
    for accepted in (lowest, highest):
        load_settings({"STAGE": "test", "DATA_DIR": str(tmp_path), name: str(accepted)})
    for refused in (lowest - 1, highest + 1):
        message = f"{name} must be between {lowest} and {highest}, got {refused}"
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_settings({"STAGE": "test", "DATA_DIR": str(tmp_path), name: str(refused)})


def test_defaults_and_derived_values_are_those_of_the_table(tmp_path):
    settings = load_settings({"STAGE": "test", "DATA_DIR": str(tmp_path)})
    assert {
        field: getattr(settings, field)
        for field in (
            "log_format",
            "bcrypt_rounds",
            "batch_get_attempts",
            "batch_get_base_delay_ms",
            "waitlist_max",
            "reminder_hours_before",
            "calendar_feed_past_days",
            "stream_send_concurrency",
            "max_body_bytes",
            "token_lifetime_seconds",
            "webhook_retry_days",
            "stream_send_budget_seconds",
            "retrier_budget_seconds",
            "reminder_send_budget_seconds",
            "reminder_run_budget_seconds",
        )
    } == {
        "log_format": "json",
        "bcrypt_rounds": 12,
        "batch_get_attempts": 5,
        "batch_get_base_delay_ms": 50,
        "waitlist_max": 1000,
        "reminder_hours_before": 24,
        "calendar_feed_past_days": 30,
        "stream_send_concurrency": 8,
        "max_body_bytes": 64 * 1024,
        "token_lifetime_seconds": 60 * 60,
        "webhook_retry_days": 3,
        "stream_send_budget_seconds": 30,
        "retrier_budget_seconds": 40,
        "reminder_send_budget_seconds": 30,
        "reminder_run_budget_seconds": 90,
    }
    assert dataclasses.asdict(settings.throttle) == {
        "login_window_seconds": 900,
        "logins_per_email_and_ip": 5,
        "logins_per_email": 20,
        "known_address_days": 30,
        "ip_window_seconds": 600,
        "ip_logins": 100,
        "ip_registrations": 20,
    }
    scaled = load_settings(
        {
            "STAGE": "test",
            "DATA_DIR": str(tmp_path),
            "MAX_BODY_KB": "2",
            "TOKEN_LIFETIME_MINUTES": "7",
        }
    )
    assert (scaled.max_body_bytes, scaled.token_lifetime_seconds) == (2048, 420)


def test_a_log_format_not_allowed_is_an_error_naming_the_choices(tmp_path):
    with pytest.raises(ConfigError, match="LOG_FORMAT must be one of json, text, got 'xml'"):
        load_settings({"STAGE": "test", "DATA_DIR": str(tmp_path), "LOG_FORMAT": "xml"})
    chosen = load_settings({"STAGE": "test", "DATA_DIR": str(tmp_path), "LOG_FORMAT": "text"})
    assert chosen.log_format == "text"


def test_every_row_fills_a_field_of_the_settings_and_every_field_is_filled(tmp_path):
    settings = load_settings({"STAGE": "test", "DATA_DIR": str(tmp_path)})
    filled = {row.field for row in settings_table.ROWS.values() if getattr(row, "field", None)}
    fields = {field.name for field in dataclasses.fields(Settings)} - {"throttle"}
    throttle = {f"throttle.{field.name}" for field in dataclasses.fields(settings.throttle)}
    read_otherwise = {
        "stage",
        "region",
        "dynamodb_endpoint",
        "jwt_secret",
        "crm_webhook_url",
        "public_base_url",
        "crm_webhook_secret",
        "stripe_secret_key",
        "stripe_webhook_secret",
        "stripe_publishable_key",
        "stripe_api_base",
        "stripe_js_url",
        "data_dir",
        "bookings_stream_arn",
    }
    assert filled == (fields - read_otherwise) | throttle


def test_the_configuration_page_is_the_one_the_table_makes():
    page = (REPO_ROOT / "docs" / "configuration.md").read_text()
    assert page == configuration_page.configuration_page(), (
        "docs/configuration.md is out of date: run `make docs`"
    )


def test_every_setting_config_reads_is_on_the_configuration_page():
    source = (REPO_ROOT / "chalicelib" / "config.py").read_text()
    page = (REPO_ROOT / "docs" / "configuration.md").read_text()
    names = set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= set(re.findall(r'number\(\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= {secret + PARAMETER_SUFFIX for secret in SECRET_READERS}
    names |= set(settings_table.ROWS)
    # Set by the chalice CLI itself, read to tell `chalice local` apart: not settings.
    names -= {"AWS_CHALICE_CLI_MODE", "CHALICE_WORKER"}
    assert set(LIMITS) <= names and "THROTTLE_IP_LOGINS" in names and "STAGE" in names
    assert "DYNAMODB_LOCAL_PORT" in names and "LOG_FORMAT" in names
    missing = sorted(name for name in names if f"| `{name}` |" not in page)
    assert missing == []


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_deployed_stage_without_jwt_secret_fails_at_startup(stage, tmp_path):
    with pytest.raises(ConfigError, match="JWT_SECRET is not set"):
        load_settings({"STAGE": stage, "DATA_DIR": str(tmp_path)})


def test_deployed_stage_rejects_a_short_jwt_secret(tmp_path):
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings({"STAGE": "prod", "JWT_SECRET": "short", "DATA_DIR": str(tmp_path)})


def test_local_stage_generates_a_secret_once_and_keeps_it_in_data_dir(tmp_path):
    first = load_settings({"STAGE": "local", "DATA_DIR": str(tmp_path)}).jwt_secret
    second = load_settings({"STAGE": "local", "DATA_DIR": str(tmp_path)}).jwt_secret
    assert len(first) >= 32
    assert first == second
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0


def test_bad_bcrypt_rounds_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="BCRYPT_ROUNDS"):
        load_settings({"STAGE": "local", "DATA_DIR": str(tmp_path), "BCRYPT_ROUNDS": "many"})


def test_table_names_are_prefixed_by_stage(tmp_path):
    settings = load_settings(
        {
            "STAGE": "prod",
            "JWT_SECRET": "s" * 40,
            "DATA_DIR": str(tmp_path),
            "BOOKINGS_STREAM_ARN": "arn:x",
        }
    )
    assert settings.table_prefix == "ahoum-prod-"


def test_environment_of_make_run_wins_over_local_stage_defaults(monkeypatch):
    monkeypatch.setenv("BCRYPT_ROUNDS", "5")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    api_server.apply_stage_defaults("local")
    import os

    assert os.environ["BCRYPT_ROUNDS"] == "5"  # set by the caller: kept
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"  # unset: the stage default


def test_deployed_stage_without_stream_arn_fails_at_startup(tmp_path):
    with pytest.raises(ConfigError, match="BOOKINGS_STREAM_ARN"):
        load_settings({"STAGE": "dev", "JWT_SECRET": "s" * 40, "DATA_DIR": str(tmp_path)})


def test_the_module_cli_writes_the_configuration_page(tmp_path):
    from chalicelib import config

    page = tmp_path / "configuration.md"
    assert config.main(["config", str(page)]) == 0
    assert page.read_text() == (REPO_ROOT / "docs" / "configuration.md").read_text()
    assert config.main(["config"]) == 2
