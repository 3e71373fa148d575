"""The turn counters: each ended turn counted once, from the statuses logged since the last
observation only (not the whole log again at every turn end)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.eventlog import append_events
from conversations.models import Conversation
from observability import metrics
from observability.models import ConversationTrace
from observability.services import turns_observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(finance_graph, team):
    _, members = team
    return Conversation.objects.create(
        graph=finance_graph, entry_agent=finance_graph.entry_agent, backend="sandbox",
        started_by=members["admin"],
    )  # fmt: skip


def status(value: str, **data) -> tuple[str, dict]:
    return ("conversation.status", {"status": value, **data})


def delta(text: str) -> tuple[str, dict]:
    return ("message.output.delta", {"type": "message.output.delta", "id": "m", "content": text})


def counted(outcome: str) -> int:
    key = f'duration_count|{{"outcome": "{outcome}"}}'
    return int(metrics.redis_client().hget(metrics.redis_key(), key) or 0)


def observed(conversation) -> int:
    return ConversationTrace.objects.get(conversation=conversation).observed_seq


def test_each_ended_turn_is_counted_once(conversation):
    before = {o: counted(o) for o in ("awaiting_input", "completed", "failed")}
    append_events(conversation.pk, [status("queued"), status("running"), delta("a"),
                                    status("awaiting_input")])  # fmt: skip
    assert turns_observe(conversation_id=conversation.pk) == 1
    assert observed(conversation) == 4
    assert turns_observe(conversation_id=conversation.pk) == 0  # nothing new

    # A turn under way is not counted yet; the one before it never again.
    append_events(conversation.pk, [status("running"), delta("b")])
    assert turns_observe(conversation_id=conversation.pk) == 0
    append_events(conversation.pk, [delta("c"), status("completed")])
    assert turns_observe(conversation_id=conversation.pk) == 1
    assert observed(conversation) == 8

    # Two turns ended before anyone looked, the second failed, and a third runs already.
    append_events(conversation.pk, [
        status("running"), status("awaiting_input"),
        status("running"), status("failed", error="The backend answered 503"),
        status("running"), delta("d"),
    ])  # fmt: skip
    assert turns_observe(conversation_id=conversation.pk) == 2
    assert observed(conversation) == 12  # up to the failure: the running turn is still to count
    assert {o: counted(o) - before[o] for o in before} == {
        "awaiting_input": 2, "completed": 1, "failed": 1,
    }  # fmt: skip


def test_a_long_log_is_not_read_again_at_every_turn_end(conversation):
    append_events(conversation.pk, [status("running"), *[delta("x")] * 50, status("completed")])
    assert turns_observe(conversation_id=conversation.pk) == 1
    append_events(conversation.pk, [status("running"), *[delta("y")] * 50, status("completed")])
    with CaptureQueriesContext(connection) as captured:
        assert turns_observe(conversation_id=conversation.pk) == 1
    reads = [q["sql"] for q in captured if 'FROM "conversations_event"' in q["sql"]]
    assert len(reads) == 1, reads
    # Only the statuses after what was already counted: not the 104 events before, nor deltas.
    assert '"conversations_event"."seq" > 52' in reads[0], reads[0]
    assert '"conversations_event"."type" = ' in reads[0], reads[0]
