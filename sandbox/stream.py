"""Turn outputs into the typed SSE events the SDK parses, and stream them without a thread.

`events()` is pure: the same outputs always give the same events. `sse_body()` is the async
generator given to StreamingHttpResponse: it sleeps (`asyncio.sleep`) between word deltas, so a
hundred open streams cost no threads, and it persists the turn just before
`conversation.response.done`, so a client appending right after `done` never meets the lock.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import redis.asyncio
from django.conf import settings

from sandbox import wire
from sandbox.text import TOKEN_CHARS

Event = tuple[str, dict[str, Any]]
# Events after which the stream pauses for one "word" of latency.
DELTA_EVENTS = {"message.output.delta", "function.call.delta", "tool.execution.delta"}
_WORD_PIECES = re.compile(r"\S+\s*|\s+")


def word_pieces(text: str) -> list[str]:
    """Text split after each word, keeping the spaces, so the pieces join back exactly."""
    return _WORD_PIECES.findall(text) or [""]


def token_pieces(text: str) -> list[str]:
    """Text in pieces of about one token (TOKEN_CHARS characters), joining back exactly."""
    size = TOKEN_CHARS
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _argument_pieces(arguments: str) -> list[str]:
    """Function arguments in a few pieces, as the API streams them (concatenate to rebuild)."""
    if len(arguments) <= 12:
        return [arguments]
    size = max(8, len(arguments) // 3)
    return [arguments[i : i + size] for i in range(0, len(arguments), size)]


def entry_events(entry: wire.Entry, index: int, chunk: str = "word") -> Iterator[Event]:
    stamp = entry.get("created_at")
    common = {"output_index": index, "id": entry["id"], "created_at": stamp}
    kind = entry["type"]
    if kind == "agent.handoff":
        yield (
            "agent.handoff.started",
            common
            | {
                "previous_agent_id": entry["previous_agent_id"],
                "previous_agent_name": entry["previous_agent_name"],
            },
        )
        yield (
            "agent.handoff.done",
            common
            | {
                "next_agent_id": entry["next_agent_id"],
                "next_agent_name": entry["next_agent_name"],
            },
        )
    elif kind == "tool.execution":
        who = {"model": entry.get("model"), "agent_id": entry.get("agent_id")}
        yield "tool.execution.started", common | who | {"name": entry["name"], "arguments": ""}
        for piece in _argument_pieces(entry["arguments"]):
            yield "tool.execution.delta", common | {"name": entry["name"], "arguments": piece}
        yield (
            "tool.execution.done",
            common | {"name": entry["name"], "info": entry.get("info") or {}},
        )
    elif kind == "function.call":
        for piece in _argument_pieces(entry["arguments"]):
            yield (
                "function.call.delta",
                common
                | {
                    "name": entry["name"],
                    "tool_call_id": entry["tool_call_id"],
                    "arguments": piece,
                    "model": entry.get("model"),
                    "agent_id": entry.get("agent_id"),
                    "confirmation_status": entry.get("confirmation_status"),
                },
            )
    elif kind == "message.output":
        who = {"role": "assistant", "model": entry.get("model"), "agent_id": entry.get("agent_id")}
        content = entry["content"]
        chunks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        pieces = token_pieces if chunk == "token" else word_pieces
        for content_index, part in enumerate(chunks):
            base = common | who | {"content_index": content_index}
            if part.get("type") == "text":
                for piece in pieces(part.get("text", "")):
                    yield "message.output.delta", base | {"content": piece}
            else:  # a single chunk object (tool_file, tool_reference), never a list
                yield "message.output.delta", base | {"content": part}


def events(
    conversation_id: str, outputs: list[wire.Entry], usage: dict[str, Any], chunk: str = "word"
) -> list[Event]:
    started = {"conversation_id": conversation_id, "created_at": wire.iso(wire.now())}
    out: list[Event] = [("conversation.response.started", started)]
    for index, entry in enumerate(outputs):
        out.extend(entry_events(entry, index, chunk))
    out.append(("conversation.response.done", {"usage": usage, "created_at": wire.iso(wire.now())}))
    return out


class StreamCut(ConnectionAbortedError):
    """Raised inside the body iterator so the server drops the connection mid-stream."""


async def sse_body(
    frames: list[Event],
    *,
    delay_ms: int,
    fault: str | None,
    finish: Callable[[bool], Awaitable[None]],
    trace_key: str | None = None,
) -> AsyncIterator[bytes]:
    """The SSE body. `finish(completed)` persists the turn and releases the lock exactly once,
    even when the client goes away mid-stream (the turn then completes server-side, as the real
    API's does).

    Cheap per frame, so a hundred token-rate streams do not make the sandbox the bottleneck:
    deltas are paced on an absolute schedule (a late wake-up is not added to every later frame),
    frames already due when the stream wakes go out as one chunk, and the benchmark's trace is
    kept in memory and written to Redis once, before the last frame."""
    finished = False

    async def finish_once(completed: bool) -> None:
        nonlocal finished
        if not finished:
            finished = True
            await asyncio.shield(finish(completed))

    half = max(1, (len(frames) - 1) // 2)
    # Benchmarks ask (metadata `sandbox_trace: true`) for each frame's emission time, in order,
    # as "unix time:characters added" (see `_grown`).
    trace: list[str] | None = [] if trace_key else None
    loop = asyncio.get_running_loop()
    delay = delay_ms / 1000
    due = loop.time()
    pending: list[bytes] = []
    try:
        for position, (event_type, data) in enumerate(frames):
            if event_type == "conversation.response.done":
                await finish_once(True)
            elif position == half and fault == "response_error":
                await finish_once(False)
                pending.append(wire.sse_frame(
                    "conversation.response.error",
                    {"message": "Sandbox fault: response_error", "code": 3000,
                     "created_at": wire.iso(wire.now())},
                ))  # fmt: skip
                yield b"".join(pending)
                return
            elif position == half and fault == "stream_cut":
                await finish_once(False)
                if pending:
                    yield b"".join(pending)
                raise StreamCut("sandbox fault: stream_cut")
            if event_type in DELTA_EVENTS and delay:
                due += delay
                wait = due - loop.time()
                if wait > 0:
                    if pending:  # what is due goes out before the pause
                        yield b"".join(pending)
                        pending = []
                    await asyncio.sleep(wait)
            if trace is not None:
                trace.append(f"{time.time():.6f}:{_grown(event_type, data)}")
                if event_type == "conversation.response.done":
                    await _write_trace(trace_key, trace)
                    trace = None
            pending.append(wire.sse_frame(event_type, data))
        if pending:
            yield b"".join(pending)
    finally:
        await finish_once(True)
        if trace:
            await _write_trace(trace_key, trace)


def _grown(event_type: str, data: dict[str, Any]) -> int:
    """How many characters a delta adds (0 for anything else): a benchmark reading events that
    joined several deltas maps each of its characters back to the frame that sent it."""
    if event_type not in DELTA_EVENTS:
        return 0
    value = data.get("content" if event_type == "message.output.delta" else "arguments")
    return len(value) if isinstance(value, str) else 0


async def _write_trace(key: str, times: list[str]) -> None:
    client = redis.asyncio.from_url(settings.REDIS_URL)
    try:
        await client.rpush(key, *times)
        await client.expire(key, 3600)
    finally:
        await client.aclose()


def blocking_delay(frames: list[Event], delay_ms: int) -> float:
    """Seconds a blocking request waits: the time its stream would have taken."""
    return sum(1 for event_type, _ in frames if event_type in DELTA_EVENTS) * delay_ms / 1000
