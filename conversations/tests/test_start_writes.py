"""Starting a conversation writes its rows and first two events in one go: the queued status,
then the person's message, as seqs 1 and 2; its first turn is 1 and its first entry 0, without
asking the database for either."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Event
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db


def test_a_new_conversation_logs_status_then_message_in_one_write(finance_graph, team):
    _, members = team
    with CaptureQueriesContext(connection) as queries:
        conversation = conversation_start(
            actor=members["operator"], agent=finance_graph.entry_agent, inputs="Hello"
        )
    events = list(Event.objects.filter(conversation=conversation).order_by("seq"))
    assert [(e.seq, e.type) for e in events] == [
        (1, "conversation.status"),
        (2, "message.input"),
    ]
    assert events[0].data["status"] == "queued" and events[1].data["content"] == "Hello"
    [turn] = conversation.turns.all()
    [entry] = conversation.entries.all()
    assert (turn.number, entry.position, entry.turn_id) == (1, 0, turn.pk)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "MAX(" in s], "a new conversation's numbers need no query"
    assert len([s for s in sql if "last_seq = last_seq +" in s]) == 1  # one seq allocation


def test_a_follow_up_still_numbers_after_the_last(finance_graph, team):
    from conversations.services.common import entry_next_position, turn_create

    _, members = team
    conversation = conversation_start(
        actor=members["operator"], agent=finance_graph.entry_agent, inputs="Hello"
    )
    conversation.turns.update(state="done")  # one open turn at a time
    assert turn_create(conversation=conversation, kind="append", inputs=None).number == 2
    assert entry_next_position(conversation) == 1
