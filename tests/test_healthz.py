"""/healthz against a live server whose Redis is gone: it still answers, and names what failed."""

import json
import urllib.error
import urllib.request

import pytest

from agentstudio.redis_server import free_port
from conftest import start_asgi_server, stop_process

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_names_every_part_that_redis_takes_down(tmp_path):
    closed = free_port()  # nothing listens there
    # The dev settings: the test settings would start an embedded Redis in place of a dead one.
    server = start_asgi_server(
        tmp_path,
        DJANGO_SETTINGS_MODULE="agentstudio.settings.dev",
        AGENTSTUDIO_DATA_DIR=str(tmp_path),
        REDIS_URL=f"redis://127.0.0.1:{closed}/0",
    )
    try:
        status, body = _get(f"{server.url}/healthz")
    finally:
        stop_process(server.proc)
    assert status == 503
    assert set(body) == {"database", "redis", "channel_layer", "worker", "backend"}
    assert body["database"] == "ok"
    assert body["backend"] == "sandbox"
    for part in ("redis", "channel_layer", "worker"):
        reason = body[part]
        # Short, and about the Redis that is down (the worker check names the broker).
        assert reason.startswith("error: "), (part, reason)
        assert f"127.0.0.1:{closed}" in reason, (part, reason)
        assert len(reason) <= 200 and "\n" not in reason, (part, reason)
    assert body["worker"].startswith("error: broker unreachable")
