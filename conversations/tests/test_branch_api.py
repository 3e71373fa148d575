"""POST /api/conversations/{id}/branch/ in-process (no worker): who may branch, what a branch
keeps, and bad or hostile input refused with the field named and nothing changed."""

import pytest

from audit.models import AuditEntry
from conversations.models import Conversation, Entry, Event, Turn
from conversations.projection import project_entries
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db
ROLES = ["admin", "editor", "operator", "viewer", "outsider"]


@pytest.fixture
def finished(finance_graph, team):
    """A completed conversation of two exchanges, as the worker would have left it."""
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="First question"
    )
    Turn.objects.filter(conversation=conversation).update(state="done")
    agent = finance_graph.entry_agent
    Entry.objects.create(
        conversation=conversation, position=1, type="message.output", remote_id="msg_out1",
        agent=agent, role="assistant", text="First answer",
        data={"chunks": [{"type": "text", "text": "First answer"}]},
    )  # fmt: skip
    Entry.objects.create(
        conversation=conversation, position=2, type="message.input", role="user",
        text="Second question", data={"content": "Second question"},
    )  # fmt: skip
    Entry.objects.create(
        conversation=conversation, position=3, type="message.output", remote_id="msg_out2",
        agent=agent, role="assistant", text="Second answer", data={"chunks": []},
    )  # fmt: skip
    Conversation.objects.filter(pk=conversation.pk).update(
        status="completed",
        remote_id="conv_parent",
        agent_versions={str(agent.pk): {"name": agent.name, "version": 1, "remote_version": 0}},
    )
    conversation.refresh_from_db()
    return conversation


def _client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _second_input(conversation):
    return conversation.entries.get(position=2)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_branch(role, team, finished, api_client):
    _, members = team
    before = Conversation.objects.count()
    response = _client(api_client, members[role]).post(
        f"/api/conversations/{finished.pk}/branch/",
        {"from_entry": str(_second_input(finished).pk), "inputs": "Another question"},
        format="json",
    )
    expected = {"outsider": 404, "viewer": 403}.get(role, 201)
    assert response.status_code == expected, response.content
    assert Conversation.objects.count() == before + (1 if expected == 201 else 0)


def test_a_branch_keeps_the_history_before_the_entry(team, finished, api_client):
    _, members = team
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/",
        {"from_entry": str(_second_input(finished).pk), "inputs": "Another question",
         "agent_versions": "original"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["parent"] == str(finished.pk)
    assert body["branched_from"] == str(_second_input(finished).pk)
    assert body["branch_agent_versions"] == "original"
    assert body["agent_versions"] == finished.agent_versions
    branch = Conversation.objects.get(pk=body["id"])
    texts = list(branch.entries.order_by("position").values_list("text", flat=True))
    assert texts == ["First question", "First answer", "Another question"]
    # The branch's own log projects to the same entries (kept history, then the new input).
    events = [e.as_message() for e in Event.objects.filter(conversation=branch)]
    assert [e["type"] for e in events] == [
        "conversation.status",
        "conversation.branched",
        "message.input",
    ]
    assert [e["text"] for e in project_entries(events)] == texts
    turn = branch.turns.get()
    assert turn.kind == "branch" and turn.inputs[0]["content"] == "Another question"
    row = AuditEntry.objects.get(action="conversation.branch")
    assert row.actor == members["operator"] and row.after["parent"] == str(finished.pk)
    # The tree shows the branch under its parent, from either of them.
    tree = _client(api_client, members["viewer"]).get(f"/api/conversations/{branch.pk}/tree/")
    assert tree.status_code == 200
    root = tree.json()["root"]
    assert root["id"] == str(finished.pk) and root["branches"][0]["id"] == str(branch.pk)
    assert root["branches"][0]["branched_from"]["position"] == 2


def test_keeping_the_input_resends_the_message(team, finished, api_client):
    _, members = team
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/",
        {"from_entry": str(_second_input(finished).pk)},
        format="json",
    )
    assert response.status_code == 201
    branch = Conversation.objects.get(pk=response.json()["id"])
    assert branch.entries.order_by("-position").first().text == "Second question"


def test_branching_from_an_agent_output_regenerates_it(team, finished, api_client):
    _, members = team
    output = finished.entries.get(position=3)
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/", {"from_entry": str(output.pk)}, format="json"
    )
    assert response.status_code == 201
    branch = Conversation.objects.get(pk=response.json()["id"])
    assert branch.entries.count() == 3 and branch.turns.get().inputs is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "from_entry"),
        ({"from_entry": "not-a-uuid"}, "from_entry"),
        ({"from_entry": "00000000-0000-0000-0000-000000000000"}, "from_entry"),
        ({"from_entry": "x" * 10_000}, "from_entry"),
        ({"from_entry": ["a"]}, "from_entry"),
        ({"from_entry": "SECOND", "agent_versions": "yesterday"}, "agent_versions"),
        ({"from_entry": "SECOND", "inputs": 42}, "inputs"),
        ({"from_entry": "SECOND", "inputs": "   "}, "inputs"),
        ({"from_entry": "SECOND", "inputs": "x" * 100_001}, "inputs"),
        ({"from_entry": "SECOND", "inputs": {"$where": "1"}}, "inputs"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(team, finished, api_client, body, field):
    _, members = team
    if body.get("from_entry") == "SECOND":
        body = {**body, "from_entry": str(_second_input(finished).pk)}
    before = (Conversation.objects.count(), Event.objects.count(), AuditEntry.objects.count())
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert (Conversation.objects.count(), Event.objects.count(), AuditEntry.objects.count()) == (
        before
    )


def test_an_entry_of_another_conversation_is_refused(team, finished, finance_graph, api_client):
    _, members = team
    other = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Elsewhere"
    )
    foreign = other.entries.get()
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/", {"from_entry": str(foreign.pk)}, format="json"
    )
    assert response.status_code == 400 and "from_entry" in response.json()


@pytest.mark.parametrize("state", ["queued", "running"])
def test_branching_while_it_runs_is_a_conflict(team, finished, api_client, state):
    _, members = team
    Conversation.objects.filter(pk=finished.pk).update(status=state)
    before = Conversation.objects.count()
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/",
        {"from_entry": str(_second_input(finished).pk)},
        format="json",
    )
    assert response.status_code == 409 and "running" in response.json()["detail"]
    assert Conversation.objects.count() == before


def test_original_versions_need_them_recorded(team, finished, api_client):
    _, members = team
    Conversation.objects.filter(pk=finished.pk).update(agent_versions={})
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/",
        {"from_entry": str(_second_input(finished).pk), "agent_versions": "original"},
        format="json",
    )
    assert response.status_code == 400 and "agent_versions" in response.json()


def test_a_conversation_that_never_reached_the_backend_cannot_branch(team, finished, api_client):
    _, members = team
    Conversation.objects.filter(pk=finished.pk).update(remote_id="")
    response = _client(api_client, members["operator"]).post(
        f"/api/conversations/{finished.pk}/branch/",
        {"from_entry": str(_second_input(finished).pk)},
        format="json",
    )
    assert response.status_code == 400 and "from_entry" in response.json()


def test_the_tree_of_a_foreign_conversation_is_404(team, finished, api_client):
    _, members = team
    response = _client(api_client, members["outsider"]).get(
        f"/api/conversations/{finished.pk}/tree/"
    )
    assert response.status_code == 404
