"""The event stream built from a turn's outputs (pure, in-process)."""

from __future__ import annotations

import json

from mistralai.client.models import ConversationEvents, UnknownConversationEventsData

from sandbox import stream, wire


def _outputs() -> list[wire.Entry]:
    code = '{"code": "print(1)"}'
    file = {"type": "tool_file", "tool": "code_interpreter", "file_id": "f", "file_name": "p.png"}
    chunks = [
        {"type": "text", "text": "Here is  the plot "},
        file,
        {"type": "text", "text": "done."},
    ]
    return [
        wire.agent_handoff(("ag_a", "a"), ("ag_b", "b")),
        wire.tool_execution("code_interpreter", code, {"code_output": "1"}, "ag_b", "m"),
        wire.message_output(chunks, "ag_b", "m"),
        wire.function_call("get_rate", '{"date": "2025-01-01", "currency": "EUR"}', "ag_b", "m"),
    ]  # fmt: skip


def test_events_parse_and_rebuild_the_outputs():
    outputs = _outputs()
    events = stream.events("conv_1", outputs, wire.usage(3, 4, {}))
    parsed = [
        ConversationEvents.model_validate({"event": t, "data": {"type": t} | d}) for t, d in events
    ]
    assert not any(isinstance(e.data, UnknownConversationEventsData) for e in parsed)
    assert parsed[0].event == "conversation.response.started"
    assert parsed[-1].event == "conversation.response.done"

    indexes = [d["output_index"] for _, d in events[1:-1]]
    assert indexes == sorted(indexes) and set(indexes) == {0, 1, 2, 3}
    message = [d for t, d in events if t == "message.output.delta"]
    assert {d["id"] for d in message} == {outputs[2]["id"]}
    assert "".join(d["content"] for d in message if d["content_index"] == 0) == "Here is  the plot "
    (file_delta,) = [d for d in message if d["content_index"] == 1]
    assert file_delta["content"]["type"] == "tool_file"  # a single chunk object, never a list
    calls = [d for t, d in events if t == "function.call.delta"]
    assert json.loads("".join(d["arguments"] for d in calls))["currency"] == "EUR"
    assert len(calls) > 1


def test_sse_frames_carry_an_emission_timestamp():
    frame = wire.sse_frame("conversation.response.done", {"usage": {}}).decode()
    lines = frame.splitlines()
    assert lines[0].startswith("id: ") and lines[0][4:].isdigit()
    assert lines[1] == "event: conversation.response.done"
    assert json.loads(lines[2].removeprefix("data: "))["type"] == "conversation.response.done"
    assert frame.endswith("\n\n")
