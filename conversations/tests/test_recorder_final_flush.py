"""A turn's recorder is flushed with `final` twice, at the stream's end and at the turn's: the
second writes and asks nothing when nothing came in between, and still writes what did."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.engine import flusher
from conversations.engine.recorder import TurnRecorder
from conversations.models import Conversation, Event, Turn

pytestmark = pytest.mark.django_db(transaction=True)


def _delta(text: str) -> dict:
    return {"type": "message.output.delta", "id": "msg_1", "content_index": 0, "content": text}


def test_a_second_final_flush_with_nothing_new_does_nothing(finance_graph, monkeypatch):
    conversation = Conversation.objects.create(
        graph=finance_graph, entry_agent=finance_graph.entry_agent, backend="sandbox"
    )
    turn = Turn.objects.create(conversation=conversation, number=1, kind="start")
    recorder = TurnRecorder(conversation, turn, {})
    submitted = []
    submit = flusher.submit

    def counting(batch, **kwargs):
        submitted.append(batch)
        return submit(batch, **kwargs)

    monkeypatch.setattr(flusher, "submit", counting)
    recorder.add("message.output.delta", _delta("Hel"))
    recorder.flush(final=True)
    assert len(submitted) == 1 and recorder.settled
    with CaptureQueriesContext(connection) as queries:
        recorder.flush(final=True)
    assert len(submitted) == 1 and len(queries) == 0

    recorder.add("message.output.delta", _delta("lo"))  # something new: written as before
    recorder.flush(final=True)
    assert len(submitted) == 2
    deltas = Event.objects.filter(conversation=conversation, type="message.output.delta")
    assert [e.data["content"] for e in deltas.order_by("seq")] == ["Hel", "lo"]
    entry = conversation.entries.get()
    assert entry.text == "Hello"
