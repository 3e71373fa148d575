"""The comparison in-process: steps aligned (same, changed, only on one side), tokens, cost and
duration per side, differing agent versions with their fields; who may compare; bad input."""

import pytest

from agents.models import AgentVersion
from agents.services import agent_update
from conversations.comparison import align
from conversations.models import Conversation, Entry
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db
ROLES = ["admin", "editor", "operator", "viewer", "outsider"]


def _add(conversation, position, kind, **fields):
    return Entry.objects.create(conversation=conversation, position=position, type=kind, **fields)


@pytest.fixture
def pair(finance_graph, team):
    _, members = team
    agent = finance_graph.entry_agent
    ecb = finance_graph.agents.get(name="ecb-interest-rate-agent")
    first_version = AgentVersion.objects.filter(agent=agent).order_by("-number").first().number
    a = conversation_start(actor=members["admin"], agent=agent, inputs="Rate of the ECB?")
    agent_update(actor=members["editor"], agent=agent, changes={"instructions": "Be brief."})
    second_version = AgentVersion.objects.filter(agent=agent).order_by("-number").first().number
    b = conversation_start(actor=members["admin"], agent=agent, inputs="Rate of the ECB?")
    for conv, version, rate in ((a, first_version, "2.9"), (b, second_version, "3.1")):
        _add(conv, 1, "agent.handoff", agent=agent,
             data={"previous_agent_name": agent.name, "next_agent_name": ecb.name})  # fmt: skip
        arguments = f'{{"date": "2025-01-0{version}"}}'
        _add(conv, 2, "function.call", agent=ecb, data={"name": "get_rate", "arguments": arguments})
        _add(conv, 3, "message.output", agent=ecb, text=f"It is {rate}%")
        Conversation.objects.filter(pk=conv.pk).update(
            agent_versions={str(agent.pk): {"name": agent.name, "version": version}},
            total_tokens=100 if conv == a else 150, cost_usd="0.001",
        )  # fmt: skip
    _add(b, 4, "message.output", agent=ecb, text="Anything else?")
    return a, b


def test_steps_are_aligned_and_differences_marked(team, pair, api_client):
    _, members = team
    a, b = pair
    api_client.force_authenticate(members["viewer"])
    response = api_client.get("/api/conversations/compare/", {"a": str(a.pk), "b": str(b.pk)})
    assert response.status_code == 200, response.content
    body = response.json()
    diffs = [row["diff"] for row in body["steps"]]
    assert diffs == ["same", "same", "changed", "changed", "only_b"]
    call = body["steps"][2]
    assert call["a"]["arguments"] != call["b"]["arguments"] and call["a"]["label"] == "get_rate"
    assert body["a"]["tokens"]["total"] == 100 and body["b"]["tokens"]["total"] == 150
    assert body["a"]["cost_usd"] == "0.00100000"
    [version] = body["agent_versions"]
    assert version["a"] < version["b"]
    assert [f["field"] for f in version["fields"]] == ["instructions"]
    assert version["fields"][0]["b"] == "Be brief."


def test_alignment_of_inserted_steps():
    def s(kind, label):
        return {"kind": kind, "agent": "x", "label": label, "text": label}

    left = [s("message.input", "hi"), s("agent.handoff", "x → y"), s("message.output", "a")]
    right = [s("message.input", "hi"), s("message.output", "b")]
    assert [r["diff"] for r in align(left, right)] == ["same", "only_a", "changed"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_compare(role, team, pair, api_client, client):
    _, members = team
    a, b = pair
    api_client.force_authenticate(members[role])
    response = api_client.get("/api/conversations/compare/", {"a": str(a.pk), "b": str(b.pk)})
    client.force_login(members[role])
    page = client.get("/conversations/compare/", {"a": str(a.pk), "b": str(b.pk)})
    if role == "outsider":
        assert response.status_code == page.status_code == 404
    else:
        assert response.status_code == page.status_code == 200
        assert b"Agent versions that differ" in page.content


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "a"), ({"a": "A"}, "b"), ({"a": "A", "b": "not-a-uuid"}, None)],
)
def test_bad_pairs(team, pair, api_client, params, field):
    _, members = team
    a, _ = pair
    params = {k: (str(a.pk) if v == "A" else v) for k, v in params.items()}
    api_client.force_authenticate(members["viewer"])
    response = api_client.get("/api/conversations/compare/", params)
    if field:
        assert response.status_code == 400 and field in response.json()
    else:
        assert response.status_code == 404


def test_conversations_of_two_graphs_are_not_compared(team, pair, api_client, make_user):
    from agents.services import agent_create, graph_create

    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Other")
    agent = agent_create(actor=members["admin"], graph=graph, name="solo")
    other = conversation_start(actor=members["admin"], agent=agent, inputs="hi")
    api_client.force_authenticate(members["viewer"])
    response = api_client.get(
        "/api/conversations/compare/", {"a": str(pair[0].pk), "b": str(other.pk)}
    )
    assert response.status_code == 400 and "same graph" in response.json()["b"][0]
