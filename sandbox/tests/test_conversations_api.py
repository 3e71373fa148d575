"""Conversations API contract: start/append/restart blocking and streaming, reads, deletes and the
conversation-state rules (400/3001, 404, 409, client handoffs), through the real SDK."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

import jsonschema
import pytest
from django.conf import settings
from mistralai.client.errors import SDKError
from mistralai.client.models import (
    AgentConversation,
    AgentHandoffEntry,
    FunctionCallEntry,
    FunctionResultEntry,
    MessageInputEntry,
    MessageOutputEntry,
    MessageOutputEvent,
    ModelConversation,
    ResponseDoneEvent,
    ResponseStartedEvent,
    ToolExecutionEntry,
    ToolFileChunk,
    ToolReferenceChunk,
    UnknownConversationEventsData,
)

from sandbox.tests.conftest import collect

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
AUTH = {"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"}

LOOKUP = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Look up an order by its identifier",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    },
}


def _status(call) -> tuple[int, dict]:
    with pytest.raises(SDKError) as caught:
        call()
    return caught.value.status_code, json.loads(caught.value.body)


def test_model_conversation_blocking(client):
    response = client.beta.conversations.start(
        model="mistral-small-latest", inputs="Hello there", instructions="Be brief."
    )
    assert response.conversation_id.startswith("conv_")
    (message,) = response.outputs
    assert isinstance(message, MessageOutputEntry)
    assert "sandbox" in message.content.lower() and "mistral-small-latest" in message.content
    assert message.model == "mistral-small-latest"
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0
    assert response.usage.total_tokens >= response.usage.prompt_tokens

    conversation = client.beta.conversations.get(conversation_id=response.conversation_id)
    assert isinstance(conversation, ModelConversation)
    assert conversation.model == "mistral-small-latest"
    (listed,) = client.beta.conversations.list()
    assert isinstance(listed, ModelConversation) and listed.id == response.conversation_id


def test_agent_conversation_append_keeps_the_id_and_history_has_everything(client):
    agent = client.beta.agents.create(model="mistral-medium-latest", name="greeter")
    first = client.beta.conversations.start(
        agent_id=agent.id, inputs="Hi", name="chat", metadata={"case": "history"}
    )
    second = client.beta.conversations.append(conversation_id=first.conversation_id, inputs="Again")
    assert second.conversation_id == first.conversation_id
    assert "greeter" in second.outputs[0].content

    conversation = client.beta.conversations.get(conversation_id=first.conversation_id)
    assert isinstance(conversation, AgentConversation)
    assert (conversation.agent_id, conversation.name) == (agent.id, "chat")
    assert conversation.metadata == {"case": "history"}

    history = client.beta.conversations.get_history(conversation_id=first.conversation_id)
    assert [e.type for e in history.entries] == [
        "message.input", "message.output", "message.input", "message.output",
    ]  # fmt: skip
    assert history.entries[1].id == first.outputs[0].id
    messages = client.beta.conversations.get_messages(conversation_id=first.conversation_id)
    assert [type(m) for m in messages.messages] == [
        MessageInputEntry, MessageOutputEntry, MessageInputEntry, MessageOutputEntry,
    ]  # fmt: skip

    listed = client.beta.conversations.list(page=0, page_size=100)
    assert first.conversation_id in {c.id for c in listed}
    assert [c.id for c in client.beta.conversations.list(metadata={"case": "history"})] == [
        first.conversation_id
    ]


def test_streams_are_typed_and_match_the_blocking_entries(client):
    agent = client.beta.agents.create(model="mistral-medium-latest", name="streamer")
    stream = collect(client.beta.conversations.start_stream(agent_id=agent.id, inputs="Hello"))
    assert stream.types[0] == "conversation.response.started"
    assert stream.types[-1] == "conversation.response.done"
    started = stream.of(ResponseStartedEvent)[0]
    deltas = stream.of(MessageOutputEvent)
    assert len(deltas) > 3  # word by word
    assert {d.output_index for d in deltas} == {0} and len({d.id for d in deltas}) == 1
    assert stream.of(ResponseDoneEvent)[0].usage.total_tokens > 0

    history = client.beta.conversations.get_history(conversation_id=started.conversation_id)
    assert history.entries[-1].id == deltas[0].id
    assert history.entries[-1].content == stream.text()

    appended = collect(
        client.beta.conversations.append_stream(
            conversation_id=started.conversation_id, inputs="Hi"
        )
    )
    assert appended.of(ResponseStartedEvent)[0].conversation_id == started.conversation_id


def test_raw_sse_framing(sandbox_url, client):
    agent = client.beta.agents.create(model="m", name="framer")
    request = urllib.request.Request(
        f"{sandbox_url}/v1/conversations",
        data=json.dumps({"inputs": "Hello", "stream": True, "agent_id": agent.id}).encode(),
        method="POST",
        headers={**AUTH, "Content-Type": "application/json",
                 "Accept": "text/event-stream"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        raw = response.read().decode()
    blocks = [b for b in raw.split("\n\n") if b]
    assert "[DONE]" not in raw
    for block in blocks:
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        assert set(fields) == {"id", "event", "data"}
        assert fields["id"].isdigit() and len(fields["id"]) == 13  # emission time, unix ms
        assert json.loads(fields["data"])["type"] == fields["event"]


def test_async_stream(client):
    agent = client.beta.agents.create(model="m", name="async-agent")

    async def run() -> list:
        stream = await client.beta.conversations.start_stream_async(agent_id=agent.id, inputs="Hi")
        async with stream as events:
            return [event async for event in events]

    events = asyncio.run(run())
    assert events[-1].event == "conversation.response.done"
    assert not any(isinstance(e.data, UnknownConversationEventsData) for e in events)


def test_function_calls_block_the_conversation_until_answered(client):
    agent = client.beta.agents.create(model="m", name="orders", tools=[LOOKUP])
    response = client.beta.conversations.start(agent_id=agent.id, inputs="Find order A-1234 please")
    (call,) = response.outputs
    assert isinstance(call, FunctionCallEntry)
    assert json.loads(call.arguments) == {"order_id": "A-1234"}
    assert len(call.tool_call_id) == 9
    conversation_id = response.conversation_id

    status, body = _status(
        lambda: client.beta.conversations.append(conversation_id=conversation_id, inputs="hello?")
    )
    assert (status, body["code"]) == (400, 3001)
    assert "function results are still missing" in body["message"]
    status, body = _status(
        lambda: client.beta.conversations.append(conversation_id=conversation_id, inputs=[])
    )
    assert (status, body["code"]) == (400, 3001)
    status, body = _status(
        lambda: client.beta.conversations.append(
            conversation_id=conversation_id,
            inputs=[FunctionResultEntry(tool_call_id="nope12345", result="x")],
        )
    )
    assert status == 400 and "unknown tool_call_id" in body["message"]

    done = client.beta.conversations.append(
        conversation_id=conversation_id,
        inputs=[
            FunctionResultEntry(tool_call_id=call.tool_call_id, result='{"status": "shipped"}')
        ],
    )
    assert (
        "lookup_order returned" in done.outputs[-1].content
        and "shipped" in done.outputs[-1].content
    )
    status, body = _status(
        lambda: client.beta.conversations.append(
            conversation_id=conversation_id,
            inputs=[FunctionResultEntry(tool_call_id=call.tool_call_id, result="again")],
        )
    )
    assert status == 400 and "already has a result" in body["message"]

    history = client.beta.conversations.get_history(conversation_id=conversation_id)
    assert [e.type for e in history.entries] == [
        "message.input", "function.call", "function.result", "message.output",
    ]  # fmt: skip


def test_a_second_concurrent_turn_is_409(client):
    agent = client.beta.agents.create(model="m", name="slow")
    stream = client.beta.conversations.start_stream(
        agent_id=agent.id, inputs="Tell me a long story", metadata={"sandbox_delay_ms": 100}
    )
    with stream as events:
        first = next(iter(events))
        conversation_id = first.data.conversation_id
        status, body = _status(
            lambda: client.beta.conversations.append(conversation_id=conversation_id, inputs="x")
        )
        assert status == 409 and "concurrent" in body["message"]
        remaining = list(events)
    assert remaining[-1].event == "conversation.response.done"
    # Once `done` has arrived the lock is free again.
    assert client.beta.conversations.append(conversation_id=conversation_id, inputs="y").outputs


def test_client_handoff_execution_stops_at_the_handoff(client):
    billing = client.beta.agents.create(model="m", name="billing-agent", description="Invoices")
    triage = client.beta.agents.create(model="m", name="triage")
    triage = client.beta.agents.update(agent_id=triage.id, handoffs=[billing.id])

    response = client.beta.conversations.start(
        agent_id=triage.id, inputs="A question about my invoice", handoff_execution="client"
    )
    (handoff,) = response.outputs
    assert isinstance(handoff, AgentHandoffEntry) and handoff.next_agent_id == billing.id

    resumed = client.beta.conversations.append(conversation_id=response.conversation_id)
    assert (
        resumed.outputs[0].agent_id == billing.id and "billing-agent" in resumed.outputs[0].content
    )


def test_restart_forks_a_new_conversation(client):
    agent = client.beta.agents.create(model="m", name="forker")
    first = client.beta.conversations.start(agent_id=agent.id, inputs="one")
    client.beta.conversations.append(conversation_id=first.conversation_id, inputs="two")
    entry_id = first.outputs[0].id

    forked = client.beta.conversations.restart(
        conversation_id=first.conversation_id, from_entry_id=entry_id, inputs="three"
    )
    assert forked.conversation_id != first.conversation_id
    history = client.beta.conversations.get_history(conversation_id=forked.conversation_id)
    texts = [e.content for e in history.entries if isinstance(e, MessageInputEntry)]
    assert texts == ["one", "three"]
    # Exactly the history before the entry: the output restarted from is not kept.
    assert entry_id not in [e.id for e in history.entries] and len(history.entries) == 3
    original = client.beta.conversations.get_history(conversation_id=first.conversation_id)
    assert len(original.entries) == 4
    second_input = original.entries[2]
    assert isinstance(second_input, MessageInputEntry) and second_input.content == "two"
    from_second = client.beta.conversations.restart(
        conversation_id=first.conversation_id, from_entry_id=second_input.id, inputs="deux"
    )
    kept = client.beta.conversations.get_history(conversation_id=from_second.conversation_id)
    assert [e.id for e in kept.entries[:2]] == [e.id for e in original.entries[:2]]
    assert [e.content for e in kept.entries if isinstance(e, MessageInputEntry)] == ["one", "deux"]

    streamed = collect(
        client.beta.conversations.restart_stream(
            conversation_id=first.conversation_id, from_entry_id=entry_id, inputs="four"
        )
    )
    new_id = streamed.of(ResponseStartedEvent)[0].conversation_id
    assert new_id not in (first.conversation_id, forked.conversation_id)

    status, _ = _status(
        lambda: client.beta.conversations.restart(
            conversation_id=first.conversation_id, from_entry_id="msg_missing", inputs="x"
        )
    )
    assert status == 400


def test_delete_is_204_and_unknown_conversations_are_404(client):
    agent = client.beta.agents.create(model="m", name="temp")
    response = client.beta.conversations.start(agent_id=agent.id, inputs="hi")
    assert client.beta.conversations.delete(conversation_id=response.conversation_id) is None
    gone = response.conversation_id
    calls = [
        lambda: client.beta.conversations.get(conversation_id=gone),
        lambda: client.beta.conversations.get_history(conversation_id=gone),
        lambda: client.beta.conversations.get_messages(conversation_id=gone),
        lambda: client.beta.conversations.append(conversation_id=gone, inputs="x"),
        lambda: client.beta.conversations.restart(
            conversation_id=gone, from_entry_id="m", inputs="x"
        ),
        lambda: client.beta.conversations.delete(conversation_id=gone),
        lambda: client.beta.conversations.start(agent_id="ag_unknown", inputs="x"),
    ]
    for call in calls:
        status, body = _status(call)
        assert status == 404 and body["object"] == "error"


def test_built_in_tools_are_labelled_sandbox_results(client):
    agent = client.beta.agents.create(
        model="m",
        name="toolbox",
        tools=[{"type": "web_search"}, {"type": "document_library", "library_ids": ["lib_1"]},
               {"type": "image_generation"}],
    )  # fmt: skip
    response = client.beta.conversations.start(agent_id=agent.id, inputs="A cat on a bicycle")
    executions = [o for o in response.outputs if isinstance(o, ToolExecutionEntry)]
    assert [e.name for e in executions] == ["web_search", "document_library", "image_generation"]
    message = response.outputs[-1]
    references = [c for c in message.content if isinstance(c, ToolReferenceChunk)]
    assert {r.tool for r in references} == {"web_search"}
    assert all("sandbox" in r.title.lower() for r in references)
    # lib_1 was never created: the document library says so instead of inventing a source.
    texts = " ".join(getattr(c, "text", "") for c in message.content)
    assert "no library lib_1 exists" in texts
    (image,) = [c for c in message.content if isinstance(c, ToolFileChunk)]
    download = client.files.download(file_id=image.file_id)
    assert download.read().startswith(b"\x89PNG")
    download.close()
    assert response.usage.connectors == {
        "web_search": 1,
        "document_library": 1,
        "image_generation": 1,
    }


def test_json_schema_response_format(client):
    schema = {
        "type": "object",
        "properties": {
            "answer": {"type": "string"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "tags": {
                "type": "array",
                "items": {"type": "string", "enum": ["a", "b"]},
                "minItems": 1,
            },
            "detail": {"$ref": "#/$defs/Detail"},
        },
        "required": ["answer", "confidence", "tags", "detail"],
        "additionalProperties": False,
        "$defs": {
            "Detail": {
                "type": "object",
                "properties": {"count": {"type": "integer"}, "ok": {"type": "boolean"}},
                "required": ["count", "ok"],
            }
        },
    }
    agent = client.beta.agents.create(
        model="m",
        name="structured",
        completion_args={"response_format": {"type": "json_schema",
                                             "json_schema": {"name": "r", "schema": schema}}},
    )  # fmt: skip
    response = client.beta.conversations.start(agent_id=agent.id, inputs="Count 3 things")
    jsonschema.validate(json.loads(response.outputs[-1].content), schema)


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={**AUTH, "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_append_body_variants(client, sandbox_url):
    agent = client.beta.agents.create(model="m", name="variants")
    started = client.beta.conversations.start(agent_id=agent.id, inputs="hi")
    url = f"{sandbox_url}/v1/conversations/{started.conversation_id}"
    # `run_async` sends an explicit null for tool_confirmations; inputs may be absent.
    status, body = _post(url, {"stream": False, "store": True, "handoff_execution": "server",
                               "tool_confirmations": None})  # fmt: skip
    assert status == 200 and body["outputs"]
    status, body = _post(url, {"inputs": "x", "stream": False, "model": "m"})
    assert status == 422 and body["message"]["detail"][0]["loc"] == ["body", "model"]


def test_store_false_keeps_nothing(client):
    agent = client.beta.agents.create(model="m", name="forgetful")
    response = client.beta.conversations.start(agent_id=agent.id, inputs="secret", store=False)
    assert response.outputs
    history = client.beta.conversations.get_history(conversation_id=response.conversation_id)
    assert history.entries == []


def test_a_client_leaving_mid_stream_does_not_lose_the_turn(client):
    agent = client.beta.agents.create(model="m", name="leaver")
    stream = client.beta.conversations.start_stream(
        agent_id=agent.id, inputs="Tell me a long story", metadata={"sandbox_delay_ms": 200}
    )
    with stream as events:
        iterator = iter(events)
        conversation_id = next(iterator).data.conversation_id
        next(iterator)  # one word, then the client hangs up
    # The server notices the disconnect, completes the turn and frees the conversation. Polling,
    # not timing: wait until it has (bounded, so a regression fails instead of hanging).
    for _ in range(100):
        history = client.beta.conversations.get_history(conversation_id=conversation_id)
        if len(history.entries) == 2:
            break
        time.sleep(0.1)
    assert [e.type for e in history.entries] == ["message.input", "message.output"]
    assert client.beta.conversations.append(conversation_id=conversation_id, inputs="more").outputs


def test_bad_handoff_execution_is_422_and_creates_nothing(client, sandbox_url):
    agent = client.beta.agents.create(model="m", name="strict")
    url = f"{sandbox_url}/v1/conversations"
    status, body = _post(url, {"inputs": "x", "agent_id": agent.id, "handoff_execution": "both"})
    assert status == 422 and body["message"]["detail"][0]["loc"] == ["body", "handoff_execution"]
    assert client.beta.conversations.list() == []


def test_a_deleted_active_agent_is_404_and_leaves_no_lock(client):
    helper = client.beta.agents.create(model="m", name="helper-agent", description="helper")
    entry = client.beta.agents.create(model="m", name="entry")
    client.beta.agents.update(agent_id=entry.id, handoffs=[helper.id])
    response = client.beta.conversations.start(agent_id=entry.id, inputs="I need the helper")
    assert response.outputs[0].next_agent_id == helper.id
    client.beta.agents.delete(agent_id=helper.id)
    for _ in range(2):  # the second attempt would be 409 if the first had kept the lock
        status, body = _status(
            lambda: client.beta.conversations.append(
                conversation_id=response.conversation_id, inputs="again"
            )
        )
        assert status == 404 and helper.id in body["message"]
