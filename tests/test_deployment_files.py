"""docker-compose.yml and .env.example stay consistent with the settings (Docker can't run here)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "MISTRAL_API_KEY",
    "MISTRAL_SERVER_URL",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "API_THROTTLE_USER",
    "API_THROTTLE_ANON",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "JSON_MAX_DEPTH",
    "SANDBOX_ENABLED",
    "SANDBOX_API_KEY",
    "SANDBOX_DATABASE_URL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_SERVICE_NAME",
    "TRACE_EXPORT_TIMEOUT_S",
    "TRACE_EXPORT_RETRY_INTERVAL_S",
    "METRICS_TOKEN",
}


def test_compose_services_wiring_and_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    pg = services["postgres"]["environment"]
    for name in ("web", "worker"):
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


def test_env_example_documents_every_setting():
    text = (ROOT / ".env.example").read_text()
    for variable in SETTINGS_VARIABLES:
        assert f"{variable}=" in text, variable


def test_dockerfile_runs_the_asgi_app_with_production_settings():
    text = (ROOT / "Dockerfile").read_text()
    assert "agentstudio.settings.production" in text
    assert "uvicorn agentstudio.asgi:application" in text
