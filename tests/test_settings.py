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


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "agentstudio.settings.production",
    "SECRET_KEY": "k7#Jd9!xQ2@zP4^mV8&rT1*wL6(eN3)bY5_cH0-fG2+sA9=uK4;oI7",
    "ALLOWED_HOSTS": "testserver",
    "MISTRAL_API_KEY": "",
    "SANDBOX_API_KEY": "",
}
# Asks the sandbox, through the whole middleware stack, with a stranger's key and with the
# install's; prints both answers and the settings that decided them.
SANDBOX_PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client()
def ask(key):
    r = client.get("/sandbox/v1/nowhere", secure=True, HTTP_AUTHORIZATION=f"Bearer {key}")
    return [r.status_code, r.content.decode()]
print(json.dumps({
    "enabled": settings.SANDBOX_ENABLED,
    "stranger": ask("a-strangers-key"),
    "install": ask(settings.SANDBOX_API_KEY or "none"),
}))
"""


def _probe(tmp_path, **env: str) -> dict:
    import json

    env = {
        "AGENTSTUDIO_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        **env,
    }
    result = _manage("shell", "-c", SANDBOX_PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_serves_no_sandbox(tmp_path):
    answer = _probe(tmp_path, **PRODUCTION)
    assert answer["enabled"] is False
    # Django's own 404 page: no route at all, not the sandbox's JSON "Not Found".
    for status, body in (answer["stranger"], answer["install"]):
        assert status == 404 and "detail" not in body
    assert not (tmp_path / "sandbox_api_key").exists()


def test_production_mounts_the_sandbox_only_when_asked_and_refuses_strangers(tmp_path):
    import json

    answer = _probe(tmp_path, **PRODUCTION, SANDBOX_ENABLED="true")
    assert answer["enabled"] is True
    status, body = answer["stranger"]
    assert status == 401 and json.loads(body)["message"] == "Unauthorized"
    assert answer["install"] == [404, '{"detail": "Not Found"}']  # the sandbox's own answer


def test_development_enables_the_sandbox_only_without_a_mistral_key(tmp_path):
    dev = {
        "DJANGO_SETTINGS_MODULE": "agentstudio.settings.dev",
        "ALLOWED_HOSTS": "testserver",
        "SANDBOX_API_KEY": "",
    }
    assert _probe(tmp_path, **dev, MISTRAL_API_KEY="")["enabled"] is True
    with_key = _probe(tmp_path, **dev, MISTRAL_API_KEY="a-real-key")
    assert with_key["enabled"] is False and with_key["stranger"][0] == 404


def test_sandbox_api_key_is_generated_once_into_data(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "agentstudio.settings.dev",
        "AGENTSTUDIO_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MISTRAL_API_KEY": "",
        "SANDBOX_API_KEY": "",
    }
    code = "from django.conf import settings; print(settings.SANDBOX_API_KEY)"
    first = _manage("shell", "-c", code, **env)
    second = _manage("shell", "-c", code, **env)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 40 and second.stdout.strip().splitlines()[-1] == key
    assert (tmp_path / "sandbox_api_key").read_text().strip() == key
    assert (tmp_path / "sandbox_api_key").stat().st_mode & 0o077 == 0
    # The environment's key wins over the generated one.
    chosen = _manage("shell", "-c", code, **env | {"SANDBOX_API_KEY": "from-the-environment"})
    assert chosen.stdout.strip().splitlines()[-1] == "from-the-environment"
