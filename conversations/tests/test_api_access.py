"""Conversation, pending-action and file endpoints: what each role may do, outsiders see nothing,
and bad input is a 400 naming the field with nothing changed. In-process (no worker needed): the
turn task is only enqueued on commit, which these transactional-rollback tests never reach."""

import pytest
from django.core.files.base import ContentFile

from conversations.models import Conversation, Entry, Event, GeneratedFile, PendingAction, Turn
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db
ROLES = ["admin", "editor", "operator", "viewer", "outsider"]


@pytest.fixture
def conversation(finance_graph, team):
    _, members = team
    return conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Hello there"
    )


@pytest.fixture
def waiting(conversation):
    turn = conversation.turns.get()
    Turn.objects.filter(pk=turn.pk).update(state="done")
    Conversation.objects.filter(pk=conversation.pk).update(status="awaiting_input")
    return PendingAction.objects.create(
        conversation=conversation,
        turn=turn,
        kind="function_call",
        name="get_rate",
        arguments={"date": "2025-01-01"},
        tool_call_id="abc123XYZ",
    )


def _client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.mark.parametrize("role", ROLES)
def test_reading_conversations(role, team, conversation, api_client):
    _, members = team
    client = _client(api_client, members[role])
    listing = client.get("/api/conversations/").json()
    detail = client.get(f"/api/conversations/{conversation.pk}/")
    events = client.get(f"/api/conversations/{conversation.pk}/events/")
    entries = client.get(f"/api/conversations/{conversation.pk}/entries/")
    if role == "outsider":
        assert listing["count"] == 0
        assert {detail.status_code, events.status_code, entries.status_code} == {404}
    else:
        assert [c["id"] for c in listing["results"]] == [str(conversation.pk)]
        assert detail.status_code == events.status_code == entries.status_code == 200
        assert [e["type"] for e in events.json()] == ["conversation.status", "message.input"]
        assert events.json()[0]["seq"] == 1


@pytest.mark.parametrize("role", ROLES)
def test_starting_needs_operator(role, team, finance_graph, api_client):
    _, members = team
    client = _client(api_client, members[role])
    response = client.post(
        "/api/conversations/",
        {"agent": str(finance_graph.entry_agent.pk), "inputs": "Hi"},
        format="json",
    )
    expected = {"admin": 201, "editor": 201, "operator": 201, "viewer": 403, "outsider": 404}
    assert response.status_code == expected[role]
    assert Conversation.objects.count() == (1 if expected[role] == 201 else 0)
    if response.status_code == 201:
        body = response.json()
        assert body["status"] == "queued" and body["started_by"] == members[role].username


@pytest.mark.parametrize("role", ROLES)
def test_resolving_needs_operator(role, team, waiting, api_client):
    _, members = team
    client = _client(api_client, members[role])
    response = client.post(f"/api/pending/{waiting.pk}/resolve/", {"result": "2.5%"}, format="json")
    expected = {"admin": 200, "editor": 200, "operator": 200, "viewer": 403, "outsider": 404}
    assert response.status_code == expected[role]
    waiting.refresh_from_db()
    assert waiting.status == ("resolved" if expected[role] == 200 else "pending")
    listing = client.get("/api/pending/").json()
    assert listing["count"] == (0 if role == "outsider" else 1)


@pytest.mark.parametrize("role", ROLES)
def test_cancel_and_messages_need_operator(role, team, conversation, api_client):
    _, members = team
    client = _client(api_client, members[role])
    cancel = client.post(f"/api/conversations/{conversation.pk}/cancel/")
    expected = {"admin": 202, "editor": 202, "operator": 202, "viewer": 403, "outsider": 404}
    assert cancel.status_code == expected[role]
    conversation.refresh_from_db()
    assert conversation.status == ("cancelled" if expected[role] == 202 else "queued")


def test_double_resolve_is_one_200_and_one_409(team, waiting, api_client):
    _, members = team
    client = _client(api_client, members["operator"])
    first = client.post(f"/api/pending/{waiting.pk}/resolve/", {"result": "2.5%"}, format="json")
    second = client.post(f"/api/pending/{waiting.pk}/resolve/", {"result": "9%"}, format="json")
    assert (first.status_code, second.status_code) == (200, 409)
    waiting.refresh_from_db()
    assert waiting.result == "2.5%" and waiting.resolved_by == members["operator"]
    assert Entry.objects.filter(type="function.result").count() == 1
    # The last answer queues the next turn with the result as its input.
    turn = Turn.objects.get(conversation=waiting.conversation, state="queued")
    assert turn.inputs == [
        {"type": "function.result", "tool_call_id": "abc123XYZ", "result": "2.5%"}
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"inputs": "Hi"}, "agent"),
        ({"agent": "not-a-uuid", "inputs": "Hi"}, "agent"),
        ({"agent": "ENTRY"}, "inputs"),
        ({"agent": "ENTRY", "inputs": ""}, "inputs"),
        ({"agent": "ENTRY", "inputs": "   "}, "inputs"),
        ({"agent": "ENTRY", "inputs": 42}, "inputs"),
        ({"agent": "ENTRY", "inputs": "x" * 100_001}, "inputs"),
        ({"agent": "ENTRY", "inputs": "Hi", "handoff_execution": "both"}, "handoff_execution"),
        ({"agent": "ENTRY", "inputs": "Hi", "metadata": "yes"}, "metadata"),
        ({"agent": "ENTRY", "inputs": "Hi", "metadata": {"k": "v" * 20_000}}, "metadata"),
    ],
)
def test_bad_start_input_is_a_400_naming_the_field(body, field, team, finance_graph, api_client):
    _, members = team
    client = _client(api_client, members["operator"])
    body = {k: (str(finance_graph.entry_agent.pk) if v == "ENTRY" else v) for k, v in body.items()}
    response = client.post("/api/conversations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Conversation.objects.count() == 0 and Event.objects.count() == 0


def test_malformed_json_is_a_400(team, api_client):
    _, members = team
    client = _client(api_client, members["operator"])
    response = client.post("/api/conversations/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "result"), ({"result": 5}, "result"), ({"decision": "maybe"}, "decision")],
)
def test_bad_resolve_input_changes_nothing(body, field, team, waiting, api_client):
    _, members = team
    client = _client(api_client, members["operator"])
    response = client.post(f"/api/pending/{waiting.pk}/resolve/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    waiting.refresh_from_db()
    assert waiting.status == "pending"


def test_follow_up_is_refused_while_waiting_and_while_queued(team, waiting, api_client):
    _, members = team
    client = _client(api_client, members["operator"])
    response = client.post(
        f"/api/conversations/{waiting.conversation_id}/messages/", {"inputs": "more"}, format="json"
    )
    assert response.status_code == 409 and "pending" in response.json()["detail"]


def test_events_after_and_bad_after(team, conversation, api_client):
    _, members = team
    client = _client(api_client, members["viewer"])
    events = client.get(f"/api/conversations/{conversation.pk}/events/?after=1").json()
    assert [e["seq"] for e in events] == [2]
    bad = client.get(f"/api/conversations/{conversation.pk}/events/?after=-3")
    assert bad.status_code == 400 and "after" in bad.json()


def test_files_are_members_only(team, conversation, api_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _, members = team
    generated = GeneratedFile(
        conversation=conversation, remote_id="f-1", name="plot.png", type="image/png", size=4
    )
    generated.file.save("plot.png", ContentFile(b"\x89PNG"), save=False)
    generated.save()
    for role in ROLES:
        client = _client(api_client, members[role])
        meta = client.get(f"/api/files/{generated.pk}/")
        download = client.get(f"/api/files/{generated.pk}/download/")
        if role == "outsider":
            assert meta.status_code == download.status_code == 404
        else:
            assert meta.status_code == 200 and meta.json()["size"] == 4
            assert b"".join(download.streaming_content) == b"\x89PNG"
    api_client.force_authenticate(None)
    anonymous = api_client.get(f"/api/files/{generated.pk}/download/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"


def test_only_raster_images_are_served_inline(team, conversation, api_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _, members = team
    client = _client(api_client, members["viewer"])
    for name, mime, inline in [
        ("plot.png", "image/png", True),
        ("x.html", "text/html", False),
        ("x.svg", "image/svg+xml", False),
    ]:
        generated = GeneratedFile(
            conversation=conversation, remote_id=name, name=name, type=mime, size=3
        )
        generated.file.save(name, ContentFile(b"abc"), save=False)
        generated.save()
        response = client.get(f"/api/files/{generated.pk}/download/?inline=1")
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == "sandbox"
        if inline:
            assert response["Content-Type"] == mime
            assert "attachment" not in response.get("Content-Disposition", "")
        else:
            assert response["Content-Type"] == "application/octet-stream"
            assert response["Content-Disposition"].startswith("attachment")
