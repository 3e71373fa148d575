"""docker-compose.yml and the Dockerfile stay consistent with the settings (Docker can't run here).

.env.example is checked by tests/test_env_example.py, which reads the code for the variables."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_services_wiring_and_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    pg = services["postgres"]["environment"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "agentstudio.settings.production"
        assert env["DATABASE_URL"] == (
            f"postgres://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/"
            f"{pg['POSTGRES_DB']}"
        )
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
        assert service["env_file"] == ".env"
    assert services["worker"]["command"][:4] == ["celery", "-A", "agentstudio", "worker"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_scales_workers_with_one_scheduler():
    """`docker compose up --scale worker=N`: nothing in the worker service pins it to one
    container, and the periodic jobs run in one `beat` service, not in every worker."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert "--beat" not in worker["command"] and "-B" not in worker["command"]
    assert worker["command"][worker["command"].index("--pool") + 1] == "threads"
    schedulers = [n for n, s in services.items() if "beat" in (s.get("command") or [])[:4]]
    assert schedulers == ["beat"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "agentstudio", "beat"]
    # The workers share PostgreSQL (SQLite cannot take many writing processes).
    assert services["worker"]["environment"]["DATABASE_URL"].startswith("postgres://")
    command = services["postgres"]["command"]
    assert int(command[command.index("-c") + 1].split("=")[1]) >= 400  # max_connections


def _seconds(duration: str) -> float:
    assert duration.endswith("s"), duration
    return float(duration[:-1])


def test_compose_restarts_web_and_worker_and_checks_this_worker():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("web", "worker"):
        assert services[name]["restart"] in {"always", "unless-stopped", "on-failure"}, name
        check = services[name]["healthcheck"]
        assert _seconds(check["timeout"]) < _seconds(check["interval"]), name
        assert check["retries"] >= 3 and _seconds(check["start_period"]) > 0, name
    # /healthz is bounded under 3 s; the check's own timeout leaves it room.
    assert _seconds(services["web"]["healthcheck"]["timeout"]) > 3
    # Ping this container's worker by node name; a bare `inspect ping` is answered by any worker
    # on the broker. CMD-SHELL, so that the shell expands $HOSTNAME ($$ escapes compose).
    test = services["worker"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    assert "celery -A agentstudio inspect ping -d celery@$$HOSTNAME" in test[1]


def test_dockerfile_runs_the_asgi_app_with_production_settings():
    text = (ROOT / "Dockerfile").read_text()
    assert "agentstudio.settings.production" in text
    assert "uvicorn agentstudio.asgi:application" in text
