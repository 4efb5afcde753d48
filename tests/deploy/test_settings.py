import re

import pytest

from chalicelib.config import ConfigError, load_settings
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


def test_every_setting_config_reads_is_in_the_configuration_table():
    source = (REPO_ROOT / "chalicelib" / "config.py").read_text()
    table = (REPO_ROOT / "docs" / "configuration.md").read_text()
    names = set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= set(re.findall(r'environ,\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= set(re.findall(r'setting\(\s*"([A-Z][A-Z0-9_]+)"', source))
    assert set(LIMITS) <= names and "THROTTLE_IP_LOGINS" in names and "STAGE" in names
    missing = sorted(name for name in names if f"| `{name}` |" not in table)
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
