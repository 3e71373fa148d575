"""Example B of the handoffs guide, end to end: REST to start, a real Celery worker streaming from
the sandbox through the mistralai SDK, WebSockets to watch, the inbox to answer, a PNG to fetch."""

import pytest

from conversations.tests.conftest import EXAMPLE_B

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_example_b_through_the_whole_stack(
    finance_graph, team, api_for, watch, celery_worker_process
):
    _, members = team
    operator = api_for(members["operator"])
    entry = finance_graph.entry_agent

    code, body = operator.post("/api/conversations/", {"agent": str(entry.pk), "inputs": EXAMPLE_B})
    assert code == 201, body
    assert body["status"] == "queued"
    conversation_id = body["id"]

    live = watch(members["viewer"], conversation_id, until={"awaiting_input", "failed"})
    types = [m["type"] for m in live]
    assert live[-1]["data"]["status"] == "awaiting_input", live[-1]
    handoffs = [m["data"]["next_agent_name"] for m in live if m["type"] == "agent.handoff.done"]
    assert handoffs == ["ecb-interest-rate-agent"]
    assert "function.call.delta" in types and "pending.created" in types

    code, pending = operator.get(f"/api/pending/?status=pending&conversation={conversation_id}")
    assert code == 200
    [action] = pending["results"]
    assert action["kind"] == "function_call"
    assert action["arguments"]["date"].startswith("2025-01")
    assert action["agent"]["name"] == "ecb-interest-rate-agent"

    code, resolved = operator.post(f"/api/pending/{action['id']}/resolve/", {"result": "2.5%"})
    assert code == 200, resolved
    assert resolved["status"] == "resolved" and resolved["resolved_by"] == "operator"
    code, again = operator.post(f"/api/pending/{action['id']}/resolve/", {"result": "3%"})
    assert code == 409, again

    done = operator.wait_status(conversation_id, {"completed", "failed"}, timeout=60)
    assert done["status"] == "completed", done["error"]
    assert done["active_agent"]["name"] == "graph-drawing-agent"
    assert done["usage"]["total_tokens"] > 0

    code, events = operator.get(f"/api/conversations/{conversation_id}/events/")
    assert code == 200
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["data"] == {"status": "completed"}
    # The whole log over a fresh WebSocket is exactly the REST log.
    replayed = watch(members["viewer"], conversation_id, until={"completed"})
    assert replayed == events
    # The first socket saw a contiguous prefix of the same log.
    assert live == events[: len(live)]

    kinds = [e["type"] for e in events]
    assert "tool.execution.started" in kinds and "file.ready" in kinds
    [ready] = [e["data"] for e in events if e["type"] == "file.ready"]
    code, png = api_for(members["viewer"]).get(ready["url"])
    assert code == 200
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) == ready["size"]
    code, _ = api_for(members["outsider"]).get(ready["url"])
    assert code == 404

    code, entries = operator.get(f"/api/conversations/{conversation_id}/entries/")
    assert code == 200
    entry_types = [e["type"] for e in entries]
    assert entry_types[0] == "message.input"
    assert entry_types.count("agent.handoff") == 2
    assert "function.result" in entry_types
    result = next(e for e in entries if e["type"] == "function.result")
    assert result["created_by"] == "operator" and result["data"]["result"] == "2.5%"
    final = entries[-1]
    assert final["type"] == "message.output" and final["files"]
