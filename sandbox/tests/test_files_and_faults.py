"""Files API and fault injection through the real SDK."""

from __future__ import annotations

import json
import time

import httpx2
import pytest
from django.conf import settings
from mistralai.client.errors import SDKError
from mistralai.client.models import ResponseErrorEvent, ToolFileChunk
from mistralai.client.utils import BackoffStrategy, RetryConfig

from sandbox.tests.conftest import collect

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
AUTH = {"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"}
PNG = b"\x89PNG\r\n\x1a\n"


def _chart(client) -> ToolFileChunk:
    agent = client.beta.agents.create(
        model="m", name="plotter", tools=[{"type": "code_interpreter"}]
    )
    response = client.beta.conversations.start(
        agent_id=agent.id, inputs="Plot 3% growth over 5 years"
    )
    return next(c for c in response.outputs[-1].content if isinstance(c, ToolFileChunk))


def test_file_retrieve_download_url_list_delete(client, sandbox_url):
    chunk = _chart(client)
    assert (chunk.file_name, chunk.file_type) == ("plot_0.png", "png")

    meta = client.files.retrieve(file_id=chunk.file_id)
    assert (meta.id, meta.filename, meta.mimetype) == (chunk.file_id, "plot_0.png", "image/png")
    download = client.files.download(file_id=chunk.file_id)
    try:
        assert download.headers["content-type"] == "application/octet-stream"
        data = download.read()
    finally:
        download.close()
    assert data.startswith(PNG) and len(data) == meta.size_bytes

    signed = client.files.get_signed_url(file_id=chunk.file_id)
    assert signed.url.startswith(sandbox_url) and "/signed?" in signed.url
    fetched = httpx2.get(signed.url)  # a signed URL needs no key
    assert fetched.content == data

    assert chunk.file_id in {f.id for f in client.files.list().data}
    deleted = client.files.delete(file_id=chunk.file_id)
    assert deleted.deleted is True
    with pytest.raises(SDKError) as caught:
        client.files.retrieve(file_id=chunk.file_id)
    assert caught.value.status_code == 404


def test_rate_limit_is_429_with_retry_after(client):
    agent = client.beta.agents.create(model="m", name="limited")
    with pytest.raises(SDKError) as caught:
        client.beta.conversations.start(
            agent_id=agent.id, inputs="hi", metadata={"sandbox_fault": "rate_limit"}
        )
    assert caught.value.status_code == 429
    assert caught.value.headers["retry-after"] == "1"
    assert json.loads(caught.value.body)["type"] == "rate_limited"


def test_counted_fault_lets_the_sdk_retry_succeed(client):
    agent = client.beta.agents.create(model="m", name="flaky")
    retry = RetryConfig(
        "backoff", BackoffStrategy(10, 50, 1.5, 10_000), retry_connection_errors=True
    )
    response = client.beta.conversations.start(
        agent_id=agent.id,
        inputs="hi",
        metadata={"sandbox_fault": "rate_limit", "sandbox_fault_times": 2,
                  "sandbox_fault_key": "flaky-1", "sandbox_retry_after": 0},
        retries=retry,
    )  # fmt: skip
    assert response.outputs


def test_server_error_is_500_code_3000(client):
    agent = client.beta.agents.create(model="m", name="broken")
    with pytest.raises(SDKError) as caught:
        client.beta.conversations.start(
            agent_id=agent.id, inputs="hi", metadata={"sandbox_fault": "server_error"}
        )
    body = json.loads(caught.value.body)
    assert caught.value.status_code == 500
    assert (body["code"], body["message"]) == (3000, "Response failed during handoff orchestration")


def test_fault_by_header_on_append(client):
    agent = client.beta.agents.create(model="m", name="header-fault")
    response = client.beta.conversations.start(agent_id=agent.id, inputs="hi")
    with pytest.raises(SDKError) as caught:
        client.beta.conversations.append(
            conversation_id=response.conversation_id,
            inputs="again",
            http_headers={"X-Sandbox-Fault": "server_error"},
        )
    assert caught.value.status_code == 500
    # Nothing was recorded and the conversation is not locked.
    assert client.beta.conversations.append(conversation_id=response.conversation_id, inputs="ok")


def test_response_error_event_mid_stream(client):
    agent = client.beta.agents.create(model="m", name="erroring")
    stream = collect(
        client.beta.conversations.start_stream(
            agent_id=agent.id,
            inputs="Tell me something",
            metadata={"sandbox_fault": "response_error"},
        )
    )
    (error,) = stream.of(ResponseErrorEvent)
    assert error.code == 3000
    assert stream.types[-1] == "conversation.response.error"
    assert "conversation.response.done" not in stream.types


def test_stream_cut_drops_the_connection(client):
    agent = client.beta.agents.create(model="m", name="cut")
    seen = []
    stream = client.beta.conversations.start_stream(
        agent_id=agent.id, inputs="Tell me a story", metadata={"sandbox_fault": "stream_cut"}
    )
    with pytest.raises(httpx2.HTTPError), stream as events:  # the drop happens while iterating
        for event in events:
            seen.append(event)
    assert seen[0].event == "conversation.response.started"
    assert "conversation.response.done" not in [e.event for e in seen]
    conversation_id = seen[0].data.conversation_id
    # The failed turn kept its input, recorded no outputs and left no lock behind.
    history = client.beta.conversations.get_history(conversation_id=conversation_id)
    assert [e.type for e in history.entries] == ["message.input"]
    status_before = len(history.entries)
    with pytest.raises(httpx2.HTTPError):
        collect(
            client.beta.conversations.append_stream(conversation_id=conversation_id, inputs="again")
        )
    history = client.beta.conversations.get_history(conversation_id=conversation_id)
    assert len(history.entries) == status_before + 1


def test_slow_first_byte(client):
    agent = client.beta.agents.create(model="m", name="slowpoke")
    began = time.monotonic()
    stream = client.beta.conversations.start_stream(
        agent_id=agent.id,
        inputs="hi",
        metadata={"sandbox_fault": "slow_first_byte", "sandbox_first_byte_ms": 600},
    )
    with stream as events:
        first = next(iter(events))
        waited = time.monotonic() - began
        list(events)
    assert first.event == "conversation.response.started"
    assert waited >= 0.5


def test_a_server_wide_fault_from_the_environment(django_db_blocker, process_tmp):
    from mistralai.client import Mistral

    from conftest import start_asgi_server, stop_process

    with django_db_blocker.unblock():
        server = start_asgi_server(process_tmp, SANDBOX_FAULT="server_error")
    try:
        client = Mistral(api_key=settings.SANDBOX_API_KEY, server_url=f"{server.url}/sandbox")
        agent = client.beta.agents.create(model="m", name="everything-fails")
        with pytest.raises(SDKError) as caught:
            client.beta.conversations.start(agent_id=agent.id, inputs="hi")
        assert caught.value.status_code == 500
    finally:
        stop_process(server.proc)
