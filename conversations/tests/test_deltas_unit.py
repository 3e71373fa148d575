"""Coalescing deltas (no network, no database): one event per entry per flush window, and the
projection of the coalesced log is the projection of the raw one."""

from __future__ import annotations

import pytest

from agents.models import Agent
from conversations import deltas
from conversations.engine.recorder import TurnRecorder
from conversations.models import Conversation, Turn
from conversations.projection import project_entries
from conversations.tests.test_projection_unit import EXAMPLES, events_of


def _delta(piece, entry="msg_1", **extra):
    return (
        "message.output.delta",
        {"type": "message.output.delta", "id": entry, "content_index": 0, "content": piece} | extra,
    )


def test_deltas_of_one_entry_fold_into_one_event():
    raw = [_delta(piece) for piece in ("Hel", "lo, ", "wor", "ld")]
    assert deltas.coalesce(raw) == [_delta("Hello, world")]
    assert raw[0] == _delta("Hel")  # the caller's events are left as they were


def test_what_must_stay_apart_stays_apart():
    file = {"type": "tool_file", "file_id": "f", "tool": "code_interpreter"}
    raw = [
        _delta("a"),
        _delta("b", entry="msg_2"),  # another entry
        _delta("c", entry="msg_2", content_index=1),  # another chunk of it
        _delta(file, entry="msg_2", content_index=1),  # a chunk object
        _delta("d", entry="msg_2", content_index=1),
        ("conversation.response.done", {"usage": {}}),
        _delta("e", entry="msg_2", content_index=1),  # not across another event
    ]
    assert deltas.coalesce(raw) == raw
    calls = [
        ("function.call.delta", {"id": "fc_1", "tool_call_id": "t", "name": "f", "arguments": a})
        for a in ('{"a"', ": 1}")
    ]
    [(kind, merged)] = deltas.coalesce(calls)
    assert kind == "function.call.delta" and merged["arguments"] == '{"a": 1}'


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_coalesced_log_projects_to_the_same_entries(name):
    events = events_of(name)
    items = deltas.coalesce([(e["type"], e["data"]) for e in events])
    assert len(items) < len(events)
    coalesced = [{"seq": i, "type": k, "data": d} for i, (k, d) in enumerate(items, start=1)]
    assert project_entries(coalesced) == project_entries(events)


def test_a_long_reply_buffered_in_one_window_is_one_event():
    agent = Agent(name="assistant")
    conversation = Conversation(active_agent=agent, entry_agent=agent)
    recorder = TurnRecorder(
        conversation, Turn(conversation=conversation, number=1), {"ag_1": agent}, next_position=1
    )
    pieces = [f"tok{i % 10} " for i in range(300)]
    recorder.add("conversation.response.started", {"conversation_id": "conv_1"})
    for piece in pieces:
        kind, data = _delta(piece, agent_id="ag_1")
        recorder.add(kind, data)
    assert len(recorder.buffer) == 2
    assert recorder.buffer[1][1]["content"] == "".join(pieces)
    [entry] = recorder.output_entries()
    assert entry.text == "".join(pieces)
