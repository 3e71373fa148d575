"""The graph document carries the runtime, max_turns, each agent's tool policy and its MCP
servers: export → import → export is exact, secrets never leave (names only, said so), bad or
hostile values are 400s naming their path with nothing created, stdio servers need an admin,
and the editor's atomic save takes the same keys (an empty secret keeps the stored one)."""

from __future__ import annotations

import copy
import json

import pytest

from agents import services
from agents.models import Agent, Graph, McpServer
from agents.tests.conftest import World
from agents.tests.test_api_document import document_of, put
from conversations.services.mcp import SECRET_NOTE, agent_tool_policy_set

pytestmark = pytest.mark.django_db
POLICY = {
    "default": "allow",
    "rules": [{"tools": ["lookup_*"], "arguments": ["*9*"], "decision": "ask"}],
}
STDIO = {
    "name": "stats",
    "transport": "stdio",
    "command": "/usr/bin/python3",
    "args": ["-m", "stats_server", "stdio"],
    "env": {"STATS_TOKEN": "stdio-secret-value"},
    "timeout_s": 15,
}
HTTP = {
    "name": "orders",
    "transport": "http",
    "url": "http://127.0.0.1:9/mcp",
    "headers": {"Authorization": "Bearer http-secret-value"},
}


def _configure(world: World) -> None:
    services.graph_update(actor=world.users["admin"], graph=world.graph, runtime="local",
                          max_turns=7)  # fmt: skip
    agent_tool_policy_set(actor=world.users["editor"], agent=world.triage, policy=POLICY)
    # Rows made directly: attaching lists the tools over the network, which is not under test.
    McpServer.objects.create(agent=world.triage, **STDIO)
    McpServer.objects.create(agent=world.billing, **HTTP)


def _export(world: World, graph_id, role: str = "viewer") -> dict:
    response = world.client(role).get(f"/api/graphs/{graph_id}/export/")
    assert response.status_code == 200
    return response.json()


def _import(world: World, document: dict, role: str = "admin"):
    body = {"workspace": str(world.workspace.id), "document": document}
    return world.client(role).post("/api/graphs/import/", body, format="json")


def _agent(document: dict, name: str) -> dict:
    return next(a for a in document["agents"] if a["name"] == name)


def test_round_trip_carries_runtime_policy_and_servers_but_no_secret(world: World):
    _configure(world)
    original = _export(world, world.graph.id)
    assert (original["runtime"], original["max_turns"]) == ("local", 7)
    triage, billing = _agent(original, "triage"), _agent(original, "billing")
    assert triage["tool_policy"] == POLICY and "tool_policy" not in billing
    assert triage["mcp_servers"] == [{**STDIO, "env": {"STATS_TOKEN": ""}, "secrets": SECRET_NOTE}]
    assert billing["mcp_servers"] == [
        {**HTTP, "headers": {"Authorization": ""}, "timeout_s": 20, "secrets": SECRET_NOTE}
    ]
    assert "secret-value" not in json.dumps(original)

    response = _import(world, original)
    assert response.status_code == 201, response.content
    imported_id = response.json()["id"]
    again = _export(world, imported_id)
    for key in set(original) - {"agents"}:
        assert again[key] == original[key], key
    for before, after in zip(original["agents"], again["agents"], strict=True):
        assert set(after) == set(before), before["name"]
        for key in before:
            assert after[key] == before[key], (before["name"], key)
    assert again == original

    graph = Graph.objects.get(pk=imported_id)
    assert (graph.runtime, graph.max_turns) == ("local", 7)
    assert Agent.objects.get(graph=graph, name="triage").tool_policy == POLICY
    stats = McpServer.objects.get(agent__graph=graph, name="stats")
    assert (stats.command, stats.args, stats.env, stats.timeout_s) == (
        STDIO["command"], STDIO["args"], {"STATS_TOKEN": ""}, 15
    )  # fmt: skip
    orders = McpServer.objects.get(agent__graph=graph, name="orders")
    assert (orders.url, orders.headers) == (HTTP["url"], {"Authorization": ""})


def test_a_graph_without_them_exports_the_defaults(world: World):
    document = _export(world, world.graph.id)
    assert (document["runtime"], document["max_turns"]) == ("conversations", None)
    assert not any({"tool_policy", "mcp_servers"} & set(a) for a in document["agents"])


def _set(path: list, value):
    def change(document: dict) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _server(**fields):
    return _set(["agents", 0, "mcp_servers"], [{**HTTP, **fields}])


HOSTILE = [
    (_set(["runtime"], "remote"), "document.runtime"),
    (_set(["runtime"], ["local"]), "document.runtime"),
    (_set(["max_turns"], 0), "document.max_turns"),
    (_set(["max_turns"], 101), "document.max_turns"),
    (_set(["max_turns"], True), "document.max_turns"),
    (_set(["max_turns"], "5"), "document.max_turns"),
    (_set(["agents", 0, "tool_policy"], []), "document.agents[0].tool_policy"),
    (_set(["agents", 0, "tool_policy"], {"default": "maybe"}),
     "document.agents[0].tool_policy.default"),
    (_set(["agents", 0, "tool_policy"], {"rules": [{"tools": ["*"], "decision": "later"}]}),
     "document.agents[0].tool_policy.rules.0.decision"),
    (_set(["agents", 0, "tool_policy"], {"rules": [{"tools": ["*"] * 999, "decision": "ask"}]}),
     "document.agents[0].tool_policy.rules.0.tools"),
    (_set(["agents", 0, "mcp_servers"], "http://evil"), "document.agents[0].mcp_servers"),
    (_set(["agents", 0, "mcp_servers"], [dict(HTTP)] * 21), "document.agents[0].mcp_servers"),
    (_set(["agents", 0, "mcp_servers"], [5]), "document.agents[0].mcp_servers[0]"),
    (_set(["agents", 0, "mcp_servers"], [dict(HTTP), dict(HTTP)]),
     "document.agents[0].mcp_servers[1].name"),
    (_server(transport="ftp"), "document.agents[0].mcp_servers[0].transport"),
    (_server(url="file:///etc/passwd"), "document.agents[0].mcp_servers[0].url"),
    (_server(url=""), "document.agents[0].mcp_servers[0].url"),
    (_server(name="../../x"), "document.agents[0].mcp_servers[0].name"),
    (_server(headers={"X": 5}), "document.agents[0].mcp_servers[0].headers"),
    (_server(headers={"X": "a\x00b"}), "document.agents[0].mcp_servers[0].headers"),
    (_server(env=["A=1"]), "document.agents[0].mcp_servers[0].env"),
    (_server(args="--evil"), "document.agents[0].mcp_servers[0].args"),
    (_server(timeout_s=0), "document.agents[0].mcp_servers[0].timeout_s"),
    (_server(timeout_s=True), "document.agents[0].mcp_servers[0].timeout_s"),
    (_server(tools=[{"name": "injected"}]), "document.agents[0].mcp_servers[0].tools"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "path"), HOSTILE)
def test_bad_and_hostile_new_fields_are_400s_naming_the_path(world: World, change, path):
    document = _export(world, world.graph.id)
    change(document)
    counts = (Graph.objects.count(), Agent.objects.count(), McpServer.objects.count())
    response = _import(world, document)
    assert response.status_code == 400, response.content
    assert path in response.json(), response.json()
    assert counts == (Graph.objects.count(), Agent.objects.count(), McpServer.objects.count())


def test_only_admins_import_stdio_servers(world: World):
    document = _export(world, world.graph.id)
    _agent(document, "triage")["mcp_servers"] = [STDIO]
    response = _import(world, document, role="editor")
    path = "document.agents[1].mcp_servers[0].transport"
    assert response.status_code == 400 and path in response.json(), response.content
    assert not McpServer.objects.exists()
    _agent(document, "triage")["mcp_servers"] = [HTTP]
    assert _import(world, document, role="editor").status_code == 201
    assert _import(world, {**document, "name": "Copy"}, role="operator").status_code == 403
    _agent(document, "triage")["mcp_servers"] = [STDIO]
    assert _import(world, {**document, "name": "Admin's"}, role="admin").status_code == 201
    assert McpServer.objects.filter(transport="stdio").count() == 1


def test_the_editor_save_takes_the_new_fields_and_keeps_secrets(world: World):
    revision, document = document_of(world)
    document.update(runtime="local", max_turns=3)
    _agent(document, "triage")["tool_policy"] = POLICY
    _agent(document, "billing")["mcp_servers"] = [HTTP]
    response = put(world, document, revision)
    assert response.status_code == 200, response.content
    graph = Graph.objects.get(pk=world.graph.pk)
    assert (graph.runtime, graph.max_turns, graph.revision) == ("local", 3, revision + 1)
    assert Agent.objects.get(pk=world.triage.pk).tool_policy == POLICY
    assert McpServer.objects.get(agent=world.billing).headers == HTTP["headers"]

    # An admin's stdio server and the secrets come back empty; saving them as they are keeps
    # every stored value, and changes nothing (no revision step).
    McpServer.objects.create(agent=world.triage, **STDIO)
    revision, document = document_of(world)
    assert _agent(document, "billing")["mcp_servers"][0]["headers"] == {"Authorization": ""}
    response = put(world, copy.deepcopy(document), revision)
    assert response.status_code == 200, response.content
    assert Graph.objects.get(pk=world.graph.pk).revision == revision
    assert McpServer.objects.get(agent=world.billing).headers == HTTP["headers"]
    assert McpServer.objects.get(agent=world.triage).env == STDIO["env"]

    # An editor may not change what the stdio server runs.
    _agent(document, "triage")["mcp_servers"][0]["command"] = "/bin/sh"
    response = put(world, document, revision)
    path = "document.agents[1].mcp_servers[0].transport"
    assert response.status_code == 400 and path in response.json(), response.content
    assert McpServer.objects.get(agent=world.triage).command == STDIO["command"]

    # A document without the keys (the editor before it knew them) leaves them alone; a
    # server left out of a list that is there is detached.
    revision, document = document_of(world)
    for agent in document["agents"]:
        agent.pop("tool_policy", None)
    _agent(document, "billing")["mcp_servers"] = []
    for key in ("runtime", "max_turns"):
        document.pop(key)
    assert put(world, document, revision).status_code == 200
    graph = Graph.objects.get(pk=world.graph.pk)
    assert (graph.runtime, graph.max_turns) == ("local", 3)
    assert Agent.objects.get(pk=world.triage.pk).tool_policy == POLICY
    assert not McpServer.objects.filter(agent=world.billing).exists()
    assert McpServer.objects.filter(agent=world.triage).count() == 1


def test_a_bad_policy_in_a_save_is_400_and_changes_nothing(world: World):
    revision, document = document_of(world)
    _agent(document, "billing")["tool_policy"] = {"default": "sometimes"}
    _agent(document, "billing")["description"] = "changed"
    response = put(world, document, revision)
    assert response.status_code == 400
    assert "document.agents[0].tool_policy.default" in response.json(), response.json()
    assert Agent.objects.get(pk=world.billing.pk).description != "changed"


@pytest.mark.django_db(transaction=True)
def test_imported_servers_are_listed_after_the_commit(world: World):
    document = _export(world, world.graph.id)
    _agent(document, "billing")["mcp_servers"] = [{**HTTP, "timeout_s": 3}]
    response = _import(world, document)
    assert response.status_code == 201, response.content
    server = McpServer.objects.get(agent__graph_id=response.json()["id"])
    # Nothing listens on port 9: the agent shows why, as an attach through the API would.
    assert server.tools == [] and server.tools_error and server.tools_listed_at is not None
