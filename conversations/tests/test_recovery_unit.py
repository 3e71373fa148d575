"""The periodic recovery job's choices, in-process (the SIGKILL test covers the real thing)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from conversations import queue, tasks
from conversations.models import Turn
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db


def test_queued_turn_nobody_claimed_is_sent_again(
    finance_graph, team, monkeypatch, django_capture_on_commit_callbacks
):
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Hello"
    )
    sent = []
    monkeypatch.setattr(
        queue, "send_turn", lambda turn_id, **kwargs: sent.append(str(turn_id)) or True
    )
    turn = conversation.turns.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_stale_turns(stale_after_s=60) == {}  # too young to be forgotten
    Turn.objects.filter(pk=turn.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_stale_turns(stale_after_s=60) == {str(turn.pk): "re-enqueued"}
    assert sent == [str(turn.pk)]


def test_running_turn_with_fresh_heartbeat_is_left_alone(finance_graph, team, monkeypatch):
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Hello"
    )
    turn = conversation.turns.get()
    Turn.objects.filter(pk=turn.pk).update(state="running", heartbeat_at=timezone.now())
    assert tasks.recover_stale_turns(stale_after_s=60) == {}
    turn.refresh_from_db()
    assert turn.state == "running"


def test_a_turn_claimed_after_a_cancel_ends_the_conversation(finance_graph, team):
    from conversations.engine import lifecycle
    from conversations.models import Conversation

    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Hello"
    )
    # As after a registered function ran while someone pressed Cancel: running, flag set.
    Conversation.objects.filter(pk=conversation.pk).update(status="running", cancel_requested=True)
    turn = conversation.turns.get()
    assert lifecycle.turn_execute(turn.pk) is None
    conversation.refresh_from_db()
    turn.refresh_from_db()
    assert (conversation.status, turn.state) == ("cancelled", "cancelled")
    assert conversation.events.order_by("-seq").first().data == {"status": "cancelled"}


def test_a_turn_the_broker_refused_is_sent_on_the_next_run_however_young(
    finance_graph, team, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def refuse(name, args, **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    _, members = team
    monkeypatch.setattr(queue, "current_app", SimpleNamespace(send_task=refuse))
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_start(
            actor=members["admin"], agent=finance_graph.entry_agent, inputs="Hello"
        )
    turn = conversation.turns.get()
    assert turn.state == "queued" and turn.enqueue_failed_at is not None
    assert tasks.recover_stale_turns(stale_after_s=60) == {str(turn.pk): "enqueue failed"}

    sent = []

    def accept(name, args, **options):
        sent.extend(args)

    monkeypatch.setattr(queue, "current_app", SimpleNamespace(send_task=accept))
    assert tasks.recover_stale_turns(stale_after_s=60) == {str(turn.pk): "re-enqueued"}
    assert sent == [str(turn.pk)]
    turn.refresh_from_db()
    assert turn.enqueue_failed_at is None
    assert tasks.recover_stale_turns(stale_after_s=60) == {}  # back to the normal threshold
