"""Branches through the real stack: a real worker restarts the parent's conversation on the
sandbox (over the real SDK) from the chosen entry."""

import json
import urllib.request

import pytest
from django.conf import settings

from agents.services import agent_create, agent_update, graph_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
FINAL = {"completed", "failed", "awaiting_input", "cancelled"}


def _sandbox(asgi_server, path):
    request = urllib.request.Request(
        f"{asgi_server.url}/sandbox/v1/{path}",
        headers={"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _entries(api, conversation_id):
    code, entries = api.get(f"/api/conversations/{conversation_id}/entries/")
    assert code == 200
    return entries


def _single_agent_graph(team, instructions="Answer briefly."):
    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Echo")
    agent = agent_create(
        actor=members["admin"], graph=graph, name="helper", description="Helps",
        instructions=instructions,
    )  # fmt: skip
    return agent


def test_a_branch_from_the_second_message_keeps_what_came_before_and_diverges(
    team, api_for, asgi_server, celery_worker_process
):
    _, members = team
    agent = _single_agent_graph(team)
    api = api_for(members["operator"])
    code, parent = api.post("/api/conversations/", {"agent": str(agent.pk), "inputs": "one"})
    assert code == 201
    assert api.wait_status(parent["id"], FINAL)["status"] == "completed"
    code, _ = api.post(f"/api/conversations/{parent['id']}/messages/", {"inputs": "two"})
    assert code == 202
    parent = api.wait_status(parent["id"], FINAL)
    assert parent["status"] == "completed"
    before = _entries(api, parent["id"])
    assert [e["type"] for e in before] == ["message.input", "message.output"] * 2
    second = before[2]

    code, branch = api.post(
        f"/api/conversations/{parent['id']}/branch/",
        {"from_entry": second["id"], "inputs": "deux"},
    )
    assert code == 201, branch
    branch = api.wait_status(branch["id"], FINAL)
    assert branch["status"] == "completed", branch
    assert branch["remote_id"] and branch["remote_id"] != parent["remote_id"]
    after = _entries(api, branch["id"])
    assert [e["text"] for e in after[:3]] == ["one", before[1]["text"], "deux"]
    assert after[1]["remote_id"] == before[1]["remote_id"]
    assert len(after) == 4 and after[3]["type"] == "message.output"
    assert after[3]["remote_id"] not in {e["remote_id"] for e in before}
    # On the backend: exactly the history before the entry, then the new exchange.
    history = _sandbox(asgi_server, f"conversations/{branch['remote_id']}/history")["entries"]
    assert [e["type"] for e in history] == ["message.input", "message.output"] * 2
    assert history[1]["id"] == before[1]["remote_id"] and history[2]["content"] == "deux"
    # The parent is untouched, and the log of the branch replays to its entries.
    assert [e["id"] for e in _entries(api, parent["id"])] == [e["id"] for e in before]
    code, events = api.get(f"/api/conversations/{branch['id']}/events/")
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[1]["type"] == "conversation.branched"
    code, tree = api.get(f"/api/conversations/{parent['id']}/tree/")
    assert [b["id"] for b in tree["root"]["branches"]] == [branch["id"]]


def test_original_versions_run_the_old_instructions_after_a_change(
    team, api_for, asgi_server, celery_worker_process
):
    _, members = team
    agent = _single_agent_graph(team, instructions="Short.")
    api = api_for(members["operator"])
    code, parent = api.post("/api/conversations/", {"agent": str(agent.pk), "inputs": "hello"})
    parent = api.wait_status(parent["id"], FINAL)
    assert parent["status"] == "completed"
    recorded = parent["agent_versions"][str(agent.pk)]
    agent_update(
        actor=members["editor"],
        agent=agent,
        changes={"instructions": "Be thorough and careful. " * 200},
    )
    first = _entries(api, parent["id"])[0]
    branches = {}
    for choice in ("original", "current"):
        code, body = api.post(
            f"/api/conversations/{parent['id']}/branch/",
            {"from_entry": first["id"], "agent_versions": choice},
        )
        assert code == 201, body
        branches[choice] = api.wait_status(body["id"], FINAL)
        assert branches[choice]["status"] == "completed", branches[choice]
    remote = {
        choice: _sandbox(asgi_server, f"conversations/{b['remote_id']}")
        for choice, b in branches.items()
    }
    assert remote["original"]["agent_version"] == recorded["remote_version"]
    assert remote["current"]["agent_version"] > recorded["remote_version"]
    # The old instructions are short: the sandbox counts them into the prompt tokens.
    original, current = branches["original"]["usage"], branches["current"]["usage"]
    assert original["prompt_tokens"] == parent["usage"]["prompt_tokens"]
    assert current["prompt_tokens"] > original["prompt_tokens"] + 500
    assert branches["original"]["agent_versions"] == parent["agent_versions"]
    newer = branches["current"]["agent_versions"][str(agent.pk)]
    assert newer["version"] > recorded["version"]
