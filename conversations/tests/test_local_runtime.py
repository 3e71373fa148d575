"""The local runtime through the real stack: the worker runs the handoff loop on chat completions
(the sandbox's `/v1/chat/completions`, through the real SDK), recording the same events as the
Conversations API, so the inbox, the entries and the WebSocket work unchanged.

Example B of the handoffs guide, with the calculator agent in place of the code interpreter
(which only Mistral's servers run): finance → ECB agent (its function answered from the inbox)
→ calculator, whose JSON answer completes the run.
"""

from __future__ import annotations

import copy
import json

import pytest

from agents.demo import FINANCE
from agents.selectors import graph_validation
from agents.services import graph_import, graph_update
from conversations.models import Conversation, Entry

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
FINAL = {"completed", "failed", "awaiting_input", "cancelled"}
EXAMPLE_B_CALCULATED = (
    "Given the interest rate of the European Central Bank as of jan 2025, calculate the "
    "compounded interest rate over the next 10 years"
)


def local_finance_document() -> dict:
    """The finance graph without the agents whose tools only Mistral runs (web search, code
    interpreter): the ECB agent hands off to the calculator."""
    document = copy.deepcopy(FINANCE)
    document["name"] = "Finance (local)"
    keep = {"finance-agent", "ecb-interest-rate-agent", "calculator-agent"}
    document["agents"] = [a for a in document["agents"] if a["name"] in keep]
    for agent in document["agents"]:
        agent["handoffs"] = [h for h in agent["handoffs"] if h in keep]
    return document


@pytest.fixture
def local_graph(team):
    workspace, members = team
    graph = graph_import(
        actor=members["admin"], workspace=workspace, document=local_finance_document()
    )
    return graph_update(actor=members["admin"], graph=graph, runtime="local")


def _entry_agent(graph):
    return graph.agents.get(name="finance-agent")


def test_example_b_on_the_local_runtime(local_graph, team, api_for, watch, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    code, body = api.post(
        "/api/conversations/",
        {"agent": str(_entry_agent(local_graph).pk), "inputs": EXAMPLE_B_CALCULATED},
    )
    assert code == 201, body
    assert body["runtime"] == "local"  # the graph's default
    conversation_id = body["id"]
    waiting = api.wait_status(conversation_id, FINAL)
    assert waiting["status"] == "awaiting_input", waiting
    assert waiting["active_agent"]["name"] == "ecb-interest-rate-agent"

    code, pending = api.get(f"/api/pending/?status=pending&conversation={conversation_id}")
    [action] = pending["results"]
    assert action["name"] == "get_european_central_bank_interest_rate"
    assert action["arguments"] == {"date": "2025-01-01"}  # from "jan 2025", as the policy does
    code, _ = api.post(f"/api/pending/{action['id']}/resolve/", {"result": "2.5%"})
    assert code == 200

    events = watch(members["viewer"], conversation_id, {"completed", "failed"})
    done = api.wait_status(conversation_id, {"completed", "failed"})
    assert done["status"] == "completed", done
    assert done["active_agent"]["name"] == "calculator-agent"
    assert done["usage"]["total_tokens"] > 0

    entries = list(Entry.objects.filter(conversation_id=conversation_id).order_by("position"))
    kinds = [(e.type, e.agent.name if e.agent else None) for e in entries]
    assert kinds == [
        ("message.input", None),
        ("agent.handoff", "finance-agent"),
        ("function.call", "ecb-interest-rate-agent"),
        ("function.result", "ecb-interest-rate-agent"),
        ("agent.handoff", "ecb-interest-rate-agent"),
        ("message.output", "calculator-agent"),
    ]
    assert entries[1].data["next_agent_name"] == "ecb-interest-rate-agent"
    assert entries[4].data["next_agent"] == str(local_graph.agents.get(name="calculator-agent").pk)
    answer = json.loads(entries[-1].text)
    assert set(answer) == {"reasoning", "result"}
    assert answer["result"].startswith("Sandbox reply from mistral-large-latest")
    # The WebSocket carried the same catalogue as a Conversations API run.
    types = [e["type"] for e in events]
    for kind in ("conversation.response.started", "agent.handoff.done", "message.output.delta",
                 "function.result", "conversation.response.done"):  # fmt: skip
        assert kind in types
    assert Conversation.objects.get(pk=conversation_id).remote_id == f"local-{conversation_id}"


def test_max_turns_ends_the_run_with_a_clear_status(
    local_graph, team, api_for, celery_worker_process
):
    _, members = team
    graph_update(actor=members["admin"], graph=local_graph, max_turns=1)
    api = api_for(members["operator"])
    code, body = api.post(
        "/api/conversations/",
        {"agent": str(_entry_agent(local_graph).pk), "inputs": EXAMPLE_B_CALCULATED},
    )
    assert code == 201, body
    done = api.wait_status(body["id"], FINAL)
    assert done["status"] == "completed"
    assert "max_turns (1" in done["error"]
    code, entries = api.get(f"/api/conversations/{body['id']}/entries/")
    assert [e["type"] for e in entries] == ["message.input", "agent.handoff"]


def test_a_local_graph_with_server_tools_is_refused(finance_graph, team, api_for):
    _, members = team
    graph = graph_update(actor=members["admin"], graph=finance_graph, runtime="local")
    report = graph_validation(graph)
    codes = {(i["agent_name"], i["code"]) for i in report["errors"]}
    assert ("graph-drawing-agent", "server_tool_on_local_runtime") in codes
    assert ("websearch-agent", "server_tool_on_local_runtime") in codes
    api = api_for(members["operator"])
    agent = finance_graph.agents.get(name="finance-agent")
    code, body = api.post(
        "/api/conversations/", {"agent": str(agent.pk), "inputs": "Hi", "runtime": "local"}
    )
    assert code == 400 and "runtime" in body, body
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize("runtime", ["remote", "", 5, ["local"]])
def test_unknown_runtime_is_a_400_naming_the_field(local_graph, team, api_for, runtime):
    _, members = team
    api = api_for(members["operator"])
    agent = _entry_agent(local_graph)
    code, body = api.post(
        "/api/conversations/", {"agent": str(agent.pk), "inputs": "Hi", "runtime": runtime}
    )
    assert code == 400 and "runtime" in body, body
    assert Conversation.objects.count() == 0


def test_graph_runtime_is_set_through_the_api_by_editors_only(local_graph, team, api_for):
    _, members = team
    path = f"/api/graphs/{local_graph.pk}/"
    code, body = api_for(members["editor"]).call(
        "PATCH", path, {"runtime": "conversations", "max_turns": 5}
    )
    assert code == 200 and body["runtime"] == "conversations" and body["max_turns"] == 5
    code, body = api_for(members["editor"]).call("PATCH", path, {"runtime": "moon"})
    assert code == 400 and "runtime" in body
    code, body = api_for(members["editor"]).call("PATCH", path, {"max_turns": 0})
    assert code == 400 and "max_turns" in body
    code, _ = api_for(members["operator"]).call("PATCH", path, {"runtime": "local"})
    assert code == 403
    code, _ = api_for(members["outsider"]).call("PATCH", path, {"runtime": "local"})
    assert code == 404
