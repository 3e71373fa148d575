"""The whole stack answers: the real database, Redis, channel layer and a real worker process."""

import json
import urllib.error
import urllib.request

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_healthz_all_ok_with_worker(asgi_server, celery_worker_process):
    try:
        with urllib.request.urlopen(f"{asgi_server.url}/healthz", timeout=20) as response:
            status, body = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, body = error.code, json.loads(error.read())
    assert (status, body) == (
        200,
        {
            "database": "ok",
            "redis": "ok",
            "channel_layer": "ok",
            "worker": "ok",
            "backend": "sandbox",
        },
    )
