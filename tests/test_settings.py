"""Settings come from the environment; a bad value fails at start naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in skip}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql-ish://nowhere"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("DEBUG", "maybe"),
        ("API_THROTTLE_USER", "lots"),
        ("API_THROTTLE_ANON", "10/fortnight"),
    ],
)
def test_misconfigured_value_fails_at_start_naming_it(variable, value):
    result = _manage("check", **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_requires_secret_key():
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="agentstudio.settings.production", SECRET_KEY=""
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_check_deploy_is_clean(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="agentstudio.settings.production",
        SECRET_KEY="k7#Jd9!xQ2@zP4^mV8&rT1*wL6(eN3)bY5_cH0-fG2+sA9=uK4;oI7",
        ALLOWED_HOSTS="studio.example.com",
        CSRF_TRUSTED_ORIGINS="https://studio.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        AGENTSTUDIO_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_dev_secret_key_is_generated_once(tmp_path):
    env = {
        "AGENTSTUDIO_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _manage("shell", "-c", code, **env)
    second = _manage("shell", "-c", code, **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
