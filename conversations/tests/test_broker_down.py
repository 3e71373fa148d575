"""Redis (broker and channel layer) down while a person starts, continues or answers: the request
is the normal success, the turn is committed once and marked unsent, and the periodic recovery
sends it as soon as the broker is back, so the conversation runs to completion."""

from __future__ import annotations

import pytest

from agentstudio.redis_server import free_port
from conftest import start_asgi_server, stop_process
from conversations.models import Conversation, Turn
from conversations.tasks import recover_stale_turns
from conversations.tests.conftest import EXAMPLE_B, Api

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def down_api(django_db_blocker, process_tmp, token_for):
    """A second live server whose REDIS_URL (so broker and channel layer) is a closed port.
    The dev settings, because the test settings would start an embedded Redis instead."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with django_db_blocker.unblock():
        server = start_asgi_server(
            process_tmp,
            DJANGO_SETTINGS_MODULE="agentstudio.settings.dev",
            DEBUG="false",
            REDIS_URL=closed,
        )
    yield lambda user: Api(server.url, token_for(user))
    stop_process(server.proc)


def test_start_with_redis_down_is_created_once_and_runs_when_it_is_back(
    finance_graph, team, down_api, api_for, celery_worker_process
):
    _, members = team
    body = {"agent": str(finance_graph.entry_agent.pk), "inputs": "Hello, who are you?"}
    code, created = down_api(members["operator"]).post("/api/conversations/", body)
    assert code == 201, created
    assert created["status"] == "queued"
    [conversation] = Conversation.objects.all()
    [turn] = Turn.objects.filter(conversation=conversation)
    assert turn.state == "queued" and turn.enqueue_failed_at is not None

    # The broker is back: the periodic job sends the never-sent turn on its next run, although
    # the turn is younger than the stale threshold.
    recover_stale_turns.delay()
    done = api_for(members["operator"]).wait_status(created["id"], {"completed", "failed"})
    assert done["status"] == "completed", done["error"]
    assert Conversation.objects.count() == 1 and conversation.turns.count() == 1
    turn.refresh_from_db()
    assert turn.enqueue_failed_at is None


def test_follow_up_with_redis_down_is_accepted_once_and_runs_when_it_is_back(
    finance_graph, team, down_api, api_for, celery_worker_process
):
    _, members = team
    live = api_for(members["operator"])
    code, created = live.post(
        "/api/conversations/", {"agent": str(finance_graph.entry_agent.pk), "inputs": "Hello"}
    )
    assert code == 201
    assert live.wait_status(created["id"], {"completed", "failed"})["status"] == "completed"

    path = f"/api/conversations/{created['id']}/messages/"
    code, body = down_api(members["operator"]).post(path, {"inputs": "Thanks!"})
    assert code == 202, body
    assert body["status"] == "queued"
    turn = Turn.objects.get(conversation_id=created["id"], number=2)
    assert turn.state == "queued" and turn.enqueue_failed_at is not None

    recover_stale_turns.delay()
    assert live.wait_status(created["id"], {"completed", "failed"})["status"] == "completed"
    conversation = Conversation.objects.get(pk=created["id"])
    assert conversation.turns.count() == 2
    assert conversation.entries.filter(type="message.input").count() == 2


def test_answer_with_redis_down_is_recorded_once_and_the_turn_runs_when_it_is_back(
    finance_graph, team, down_api, api_for, celery_worker_process
):
    _, members = team
    live = api_for(members["operator"])
    code, created = live.post(
        "/api/conversations/", {"agent": str(finance_graph.entry_agent.pk), "inputs": EXAMPLE_B}
    )
    assert code == 201
    assert live.wait_status(created["id"], {"awaiting_input", "failed"})["status"] == (
        "awaiting_input"
    )
    code, pending = live.get(f"/api/pending/?status=pending&conversation={created['id']}")
    [action] = pending["results"]

    code, body = down_api(members["operator"]).post(
        f"/api/pending/{action['id']}/resolve/", {"result": "2.5%"}
    )
    assert code == 200, body
    assert body["status"] == "resolved"
    [turn] = Turn.objects.filter(conversation_id=created["id"], state="queued")
    assert turn.kind == "results" and turn.enqueue_failed_at is not None

    recover_stale_turns.delay()
    done = live.wait_status(created["id"], {"completed", "failed"})
    assert done["status"] == "completed", done["error"]
    conversation = Conversation.objects.get(pk=created["id"])
    assert conversation.entries.filter(type="function.result").count() == 1
