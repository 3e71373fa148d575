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


def test_token_chunking_streams_about_four_characters_per_delta():
    text = "The quick brown fox jumps over the lazy dog, twice over."
    outputs = [wire.message_output(text, "ag_b", "m")]
    events = stream.events("conv_1", outputs, wire.usage(3, 4, {}), chunk="token")
    pieces = [d["content"] for t, d in events if t == "message.output.delta"]
    assert "".join(pieces) == text
    assert len(pieces) == -(-len(text) // 4) and max(map(len, pieces)) == 4
    words = stream.events("conv_1", outputs, wire.usage(3, 4, {}))
    assert sum(t == "message.output.delta" for t, _ in words) == len(text.split())


def test_reply_tokens_lengthens_the_answer_deterministically():
    from sandbox.text import lengthen

    long = lengthen("Sandbox reply.", 300)
    assert long.startswith("Sandbox reply. ") and len(long) == 1200
    assert lengthen("Sandbox reply.", 300) == long
    assert lengthen(long, 10) == long  # never shortened


def _body(frames, delay_ms):
    import asyncio

    finished = []

    async def finish(completed):
        finished.append(completed)

    async def collect():
        chunks = []
        async for chunk in stream.sse_body(frames, delay_ms=delay_ms, fault=None, finish=finish):
            chunks.append(chunk)
        return chunks

    return asyncio.run(collect()), finished


def test_a_paced_stream_sends_every_frame_once_in_order():
    outputs = [wire.message_output("one two three four five", "ag_b", "m")]
    frames = stream.events("conv_1", outputs, wire.usage(3, 4, {}))
    chunks, finished = _body(frames, delay_ms=5)
    body = b"".join(chunks).decode()
    types = [line[7:] for line in body.splitlines() if line.startswith("event: ")]
    assert types == [t for t, _ in frames]
    assert finished == [True]
    # Paced: each delta waits for its slot, so the deltas went out in separate chunks.
    assert len(chunks) >= 5


def test_frames_already_due_go_out_as_one_chunk():
    outputs = [wire.message_output("one two three four five", "ag_b", "m")]
    frames = stream.events("conv_1", outputs, wire.usage(3, 4, {}))
    chunks, _ = _body(frames, delay_ms=0)
    assert len(chunks) == 1  # nothing to wait for: one write, not one per frame
    assert b"".join(chunks).decode().count("event: ") == len(frames)
