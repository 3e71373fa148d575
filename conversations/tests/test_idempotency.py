"""The Idempotency-Key header on the POSTs that start work: a retry with the same key replays the
first answer and does nothing twice; another body is a 422; keys are per user; bad keys are a 400;
a refused request leaves its key unused; concurrent duplicates run once; old keys are forgotten.
In-process against the real database (the concurrency test commits for real, from threads)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from conversations import services, tasks
from conversations.models import (
    Conversation,
    Entry,
    IdempotencyKey,
    PendingAction,
    Turn,
)
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(client, path, body, key=KEY):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, body, format="json", **headers)


@pytest.fixture
def start_body(finance_graph):
    return {"agent": str(finance_graph.entry_agent.pk), "inputs": "Hello there"}


@pytest.fixture
def idle(finance_graph, team):
    """A conversation whose first turn has finished: it takes a follow-up message."""
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Hello there"
    )
    Turn.objects.filter(conversation=conversation).update(state="done")
    Conversation.objects.filter(pk=conversation.pk).update(status="completed")
    return conversation


@pytest.fixture
def waiting(idle):
    Conversation.objects.filter(pk=idle.pk).update(status="awaiting_input")
    return PendingAction.objects.create(
        conversation=idle,
        turn=idle.turns.get(),
        kind="function_call",
        name="get_rate",
        arguments={"date": "2025-01-01"},
        tool_call_id="abc123XYZ",
    )


def test_same_key_twice_starts_one_conversation_and_replays_the_first_answer(team, start_body):
    _, members = team
    client = _client(members["operator"])
    first = _post(client, "/api/conversations/", start_body)
    second = _post(client, "/api/conversations/", start_body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Conversation.objects.count() == 1 and Turn.objects.count() == 1
    assert AuditEntry.objects.filter(action="conversation.start").count() == 1
    # Without the header nothing is remembered: that is a new conversation.
    assert _post(client, "/api/conversations/", start_body, key=None).status_code == 201
    assert Conversation.objects.count() == 2 and IdempotencyKey.objects.count() == 1


def test_same_key_with_another_body_is_a_422_naming_the_header(team, start_body):
    _, members = team
    client = _client(members["operator"])
    assert _post(client, "/api/conversations/", start_body).status_code == 201
    other = _post(client, "/api/conversations/", {**start_body, "inputs": "Something else"})
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()
    # The same key on another endpoint is another request too.
    conversation = Conversation.objects.get()
    Conversation.objects.filter(pk=conversation.pk).update(status="completed")
    Turn.objects.update(state="done")
    elsewhere = _post(client, f"/api/conversations/{conversation.pk}/messages/", start_body)
    assert elsewhere.status_code == 422
    assert Conversation.objects.count() == 1 and Turn.objects.count() == 1


def test_keys_are_per_user(team, start_body):
    _, members = team
    operator, admin = _client(members["operator"]), _client(members["admin"])
    mine = _post(operator, "/api/conversations/", start_body)
    theirs = _post(admin, "/api/conversations/", start_body)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs
    # Each one's retry replays their own answer.
    assert _post(operator, "/api/conversations/", start_body).content == mine.content
    assert _post(admin, "/api/conversations/", start_body).content == theirs.content
    assert sorted(Conversation.objects.values_list("started_by__username", flat=True)) == [
        "operator",
        "owner",
    ]


def test_an_outsider_with_the_same_key_gets_404_not_the_stored_answer(team, idle, start_body):
    _, members = team
    path = f"/api/conversations/{idle.pk}/messages/"
    operator = _client(members["operator"])
    first = _post(operator, path, {"inputs": "More"})
    assert first.status_code == 202
    outsider = _client(members["outsider"])
    assert _post(outsider, path, {"inputs": "More"}).status_code == 404
    assert _post(outsider, "/api/conversations/", start_body).status_code == 404
    assert IdempotencyKey.objects.filter(user=members["outsider"]).count() == 0
    assert _post(operator, path, {"inputs": "More"})["Idempotent-Replayed"] == "true"
    assert idle.turns.count() == 2


@pytest.mark.parametrize(
    "key", ["", "   ", "two words", "x" * 256, "ключ", "a,b", '"unterminated', "semi;colon"]
)
def test_a_bad_key_is_a_400_naming_the_header_and_does_nothing(key, team, start_body):
    _, members = team
    response = _post(_client(members["operator"]), "/api/conversations/", start_body, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Conversation.objects.exists() and not IdempotencyKey.objects.exists()


def test_the_quoted_structured_field_form_is_the_same_key(team, start_body):
    _, members = team
    client = _client(members["operator"])
    first = _post(client, "/api/conversations/", start_body, key=KEY)
    second = _post(client, "/api/conversations/", start_body, key=f'"{KEY}"')
    assert second["Idempotent-Replayed"] == "true" and second.content == first.content
    assert Conversation.objects.count() == 1


def test_a_refused_request_leaves_its_key_unused(team, start_body):
    _, members = team
    client = _client(members["operator"])
    refused = _post(client, "/api/conversations/", {**start_body, "inputs": "   "})
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    accepted = _post(client, "/api/conversations/", start_body)
    assert accepted.status_code == 201 and "Idempotent-Replayed" not in accepted
    assert _post(client, "/api/conversations/", start_body)["Idempotent-Replayed"] == "true"
    assert Conversation.objects.count() == 1


def test_a_follow_up_sent_twice_with_one_key_is_one_turn(team, idle):
    _, members = team
    client = _client(members["operator"])
    path = f"/api/conversations/{idle.pk}/messages/"
    first = _post(client, path, {"inputs": "Thanks!"})
    second = _post(client, path, {"inputs": "Thanks!"})
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    assert idle.turns.count() == 2
    assert Entry.objects.filter(conversation=idle, type="message.input").count() == 2
    # Without the key, the retry is refused: the first one's turn is still queued.
    assert _post(client, path, {"inputs": "Thanks!"}, key=None).status_code == 409


def test_an_answer_sent_twice_with_one_key_is_recorded_once(team, waiting):
    _, members = team
    client = _client(members["operator"])
    path = f"/api/pending/{waiting.pk}/resolve/"
    first = _post(client, path, {"result": "2.5%"})
    second = _post(client, path, {"result": "2.5%"})
    assert (first.status_code, second.status_code) == (200, 200)  # not the 409 of a re-answer
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    assert Entry.objects.filter(type="function.result").count() == 1
    assert Turn.objects.filter(conversation=waiting.conversation, state="queued").count() == 1
    assert _post(client, path, {"result": "3%"}).status_code == 422


def test_a_cancel_sent_twice_with_one_key_is_replayed(team, idle):
    _, members = team
    client = _client(members["operator"])
    Conversation.objects.filter(pk=idle.pk).update(status="queued")
    path = f"/api/conversations/{idle.pk}/cancel/"
    first = _post(client, path, {})
    second = _post(client, path, {})
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    assert AuditEntry.objects.filter(action="conversation.cancel").count() == 1


def test_a_key_past_its_time_is_forgotten_and_purged(team, start_body, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 24
    _, members = team
    client = _client(members["operator"])
    assert _post(client, "/api/conversations/", start_body).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = _post(client, "/api/conversations/", {**start_body, "inputs": "A new day"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Conversation.objects.count() == 2

    fresh = _post(client, "/api/conversations/", start_body, key="fresh-key")
    assert fresh.status_code == 201
    IdempotencyKey.objects.filter(key=KEY).update(created_at=timezone.now() - timedelta(hours=25))
    assert tasks.purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh-key"]


def test_the_schema_documents_the_header(team):
    _, members = team
    schema = _client(members["operator"]).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/conversations/",
        "/api/conversations/{id}/messages/",
        "/api/conversations/{id}/cancel/",
        "/api/pending/{id}/resolve/",
    ):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_start_one_conversation(team, start_body, monkeypatch):
    _, members = team
    original = services.conversation_start
    inside, others_sent = threading.Event(), threading.Event()

    def slow_start(**kwargs):
        # The first request holds its claim here until the others are on their way, so they
        # really arrive while it is still working.
        if not inside.is_set():
            inside.set()
            others_sent.wait(10)
            time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(services, "conversation_start", slow_start)
    responses, errors = [], []

    def send():
        try:
            responses.append(_post(_client(members["operator"]), "/api/conversations/", start_body))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    threads[0].start()
    assert inside.wait(10)
    for thread in threads[1:]:
        thread.start()
    others_sent.set()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert len({r.content for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 2
    assert Conversation.objects.count() == 1 and Turn.objects.count() == 1
