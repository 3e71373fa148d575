"""A long reply streamed one token at a time through the real stack (sandbox, SDK, worker, log,
Redis, WebSocket): the log holds a few events per flush window, not one per token, and the text
read live, replayed from the log and read from REST is the same, the sandbox's exact reply."""

import asyncio

import pytest

from conversations.tests.test_engine_flows import FINAL, _events, _read, _start
from sandbox.models import SandboxEntry

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]
TOKENS = 300


def _text(events):
    return "".join(
        e["data"]["content"]
        for e in events
        if e["type"] == "message.output.delta" and isinstance(e["data"]["content"], str)
    )


def test_a_long_token_stream_is_logged_as_few_events_with_the_same_text(
    finance_graph, team, api_for, asgi_server, token_for, celery_worker_process
):
    _, members = team
    api = api_for(members["viewer"])
    metadata = {"sandbox_delay_ms": 5, "sandbox_chunk": "token", "sandbox_reply_tokens": TOKENS}
    conversation_id = _start(
        api_for(members["operator"]), finance_graph.entry_agent, "Hello there", metadata=metadata
    )
    url = f"{asgi_server.ws_url}/ws/conversations/{conversation_id}/"
    token = token_for(members["viewer"])
    live = asyncio.run(_read(f"{url}?after=0", token, until=FINAL))
    assert live[-1]["data"]["status"] == "completed"

    logged = _events(api, conversation_id)
    replayed = asyncio.run(_read(f"{url}?after=0", token, count=len(logged)))
    assert live == logged == replayed
    # What the sandbox streamed, one delta per ~4 characters.
    remote_id = api.get(f"/api/conversations/{conversation_id}/")[1]["remote_id"]
    (reply,) = SandboxEntry.objects.using("sandbox").filter(
        conversation_id=remote_id, type="message.output"
    )
    sent = reply.data["content"]
    assert len(sent) >= TOKENS * 4
    assert _text(live) == _text(replayed) == sent
    code, entries = api.get(f"/api/conversations/{conversation_id}/entries/")
    assert code == 200
    assert [e["text"] for e in entries if e["type"] == "message.output"] == [sent]
    # 300 deltas over 1.5 s, 100 ms windows: about 15 events, far fewer than the deltas.
    deltas = [e for e in logged if e["type"] == "message.output.delta"]
    assert len(deltas) <= TOKENS // 5, len(deltas)
