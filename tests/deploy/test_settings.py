import pytest

from chalicelib.config import ConfigError, load_settings
from local import api_server


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
