"""The local runtime's pure parts: the history as chat messages, and model calls counted."""

from __future__ import annotations

import uuid

from conversations.engine.local import (
    _steps_since_user,
    call_id,
    history_messages,
    transfer_tool_name,
)
from conversations.models import Entry

T1, T2 = uuid.uuid4(), uuid.uuid4()


def entry(kind, turn=T1, text="", **data):
    return Entry(type=kind, turn_id=turn, text=text, data=data, remote_id=f"k{uuid.uuid4().hex}")


def test_history_maps_entries_to_chat_messages():
    entries = [
        entry("message.input", text="Rate?", content="Rate?"),
        entry("agent.handoff", next_agent_name="ecb-interest-rate-agent"),
        entry("function.call", name="get_rate", tool_call_id="abc123XYZ", arguments='{"d": 1}'),
        entry("function.call", name="get_fx", tool_call_id="def456UVW", arguments="{}"),
        entry("function.call", name="orphan", tool_call_id="nores0000", arguments="{}"),
        entry("function.result", turn=T2, tool_call_id="abc123XYZ", name="get_rate", result="2%"),
        entry("function.result", turn=T2, tool_call_id="def456UVW", name="get_fx", result="1.1"),
        entry("message.output", turn=T2, text="It is 2%."),
    ]
    messages = history_messages(entries)
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "assistant", "tool",
                                             "tool", "assistant"]  # fmt: skip
    transfer = messages[1]["tool_calls"][0]
    assert transfer["function"]["name"] == "transfer_to_ecb_interest_rate_agent"
    assert messages[2]["tool_call_id"] == transfer["id"] and len(transfer["id"]) == 9
    # Parallel calls share one assistant message; an unanswered call is left out.
    assert [c["id"] for c in messages[3]["tool_calls"]] == ["abc123XYZ", "def456UVW"]
    assert messages[-1] == {"role": "assistant", "content": "It is 2%."}


def test_model_calls_are_counted_per_user_message():
    entries = [
        entry("message.input", text="old"),
        entry("message.output", text="old answer"),
        entry("message.input", text="new"),
        entry("message.output", text="Let me hand over."),  # same call as the handoff
        entry("agent.handoff", next_agent_name="b"),
        entry("function.call", tool_call_id="x"),
        entry("function.call", tool_call_id="y"),  # parallel: one call
        entry("function.result", turn=T2, tool_call_id="x"),
        entry("message.output", turn=T2, text="done"),
    ]
    assert _steps_since_user(entries) == 3


def test_names_are_safe_and_ids_stable():
    assert transfer_tool_name("Billing Support") == "transfer_to_Billing_Support"
    assert len(transfer_tool_name("x" * 100)) == 64
    assert call_id("k1") == call_id("k1") != call_id("k2")
