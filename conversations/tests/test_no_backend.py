"""With no MISTRAL_API_KEY and the sandbox disabled there is no backend: a conversation fails at
once with an error saying so (no crash, no retries), and the server has no /sandbox/ at all."""

import json
import urllib.error
import urllib.request
import uuid

import pytest

from conftest import start_asgi_server, start_worker, stop_process
from conversations.tests.conftest import Api

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_backend(django_db_blocker, process_tmp):
    """A web server and a worker of their own (own queue), both without any backend."""
    env = {"SANDBOX_ENABLED": "false", "MISTRAL_API_KEY": "", "CELERY_QUEUE": f"nb-{uuid.uuid4()}"}
    with django_db_blocker.unblock():
        server = start_asgi_server(process_tmp, **env)
        worker = start_worker(process_tmp, **env)
    yield server
    stop_process(worker.proc)
    stop_process(server.proc)


def test_a_conversation_fails_clearly_without_any_backend(
    no_backend, finance_graph, team, token_for
):
    _, members = team
    api = Api(no_backend.url, token_for(members["operator"]))
    code, body = api.post(
        "/api/conversations/", {"agent": str(finance_graph.entry_agent.pk), "inputs": "Hello"}
    )
    assert code == 201, body
    failed = api.wait_status(body["id"], {"failed", "completed"})
    assert failed["status"] == "failed"
    assert "No backend is configured" in failed["error"], failed["error"]
    assert "SANDBOX_ENABLED" in failed["error"]

    with urllib.request.urlopen(f"{no_backend.url}/healthz", timeout=10) as response:
        assert json.loads(response.read())["backend"] == "none"
    request = urllib.request.Request(
        f"{no_backend.url}/sandbox/v1/agents", headers={"Authorization": "Bearer anything"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 404
