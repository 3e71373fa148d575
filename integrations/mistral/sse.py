"""A faster drop-in for the `mistralai` SDK's `utils.eventstreaming.stream_events` and its async
twin `stream_events_async`.

The SDK finds the end of each server-sent event by walking the buffer one byte at a time in
Python (`buffer[i : i + 1]` for every byte, then every boundary compared at every line break),
and turns each event into a dict with `dataclasses.asdict`, which deep-copies the parsed JSON.
At a token per event that was most of what the worker spent reading a stream. This copy finds
boundaries with `bytes.find` and builds the dict directly; everything else is the SDK's own
logic, line for line, and the decoder receives the same JSON text. The tests in
`tests/test_sse.py` pin the SDK source it replaces and compare both on the same byte streams.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, TypeVar

T = TypeVar("T")
# The SDK's boundaries, in its order: at one position the first that matches wins.
MESSAGE_BOUNDARIES = (
    b"\r\n\r\n", b"\r\n\r", b"\r\n\n", b"\r\r\n", b"\n\r\n", b"\r\r", b"\n\r", b"\n\n",
)  # fmt: skip
UTF8_BOM = b"\xef\xbb\xbf"
_LINES = re.compile(r"\r?\n|\r")


# "\n\n" is searched first: it ends almost every event of an LF stream, and every other
# boundary then needs looking for only up to it, instead of across a buffer that holds many
# events when the reader has fallen behind.
_SEARCH_ORDER = (b"\n\n", *(b for b in MESSAGE_BOUNDARIES if b != b"\n\n"))


def _next_boundary(buffer: bytes, start: int = 0) -> tuple[int, int]:
    """(position, length) of the earliest boundary at or after `start`, or (-1, 0). At one
    position the SDK's first listed boundary wins: after "\n\n" (which shares a position with
    none of them) they are tried in its order, and only an earlier find replaces a later one."""
    best, length = -1, 0
    for boundary in _SEARCH_ORDER:
        end = best + len(boundary) if best >= 0 else len(buffer)
        found = buffer.find(boundary, start, end)
        if found >= 0 and (best < 0 or found < best):
            best, length = found, len(boundary)
    return best, length


class _Splitter:
    """The parsing state of one stream: bytes in, decoded events out. Shared by the sync and the
    async reader, so both parse exactly alike."""

    def __init__(
        self,
        decoder: Callable[[Any], Any],
        sentinel: str | None,
        data_required: bool,
        parsed: bool = False,
    ):
        self.decoder, self.sentinel, self.data_required = decoder, sentinel, data_required
        self.parsed = parsed  # the decoder takes the event as a dict, not as its JSON text
        self.buffer = b""
        self.event_id: str | None = None
        self.done = False  # the sentinel came: nothing after it is read

    def feed(self, chunk: bytes) -> list[Any]:
        if not self.buffer and chunk.startswith(UTF8_BOM):
            chunk = chunk[len(UTF8_BOM) :]
        buffer = self.buffer + chunk
        events = []
        start = 0  # one slice per chunk, not one copy of the rest per event
        while True:
            position, length = _next_boundary(buffer, start)
            if position < 0:
                break
            block, start = buffer[start:position], position + length
            event, discard, self.event_id = _parse_event(
                block, self.decoder, self.sentinel, self.event_id, self.data_required, self.parsed
            )
            if event is not None:
                events.append(event)
            if discard:
                self.done = True
                return events
        self.buffer = buffer[start:]
        return events

    def end(self) -> list[Any]:
        """What the bytes after the last boundary amount to, once the body is over."""
        event, _, _ = _parse_event(
            self.buffer, self.decoder, self.sentinel, self.event_id, self.data_required, self.parsed
        )
        return [] if event is None else [event]


def stream_events(
    response: Any,
    decoder: Callable[[str], T],
    sentinel: str | None = None,
    data_required: bool = True,
) -> Generator[T, None, None]:
    try:
        splitter = _Splitter(decoder, sentinel, data_required)
        for chunk in response.iter_bytes():
            yield from splitter.feed(chunk)
            if splitter.done:
                return
        yield from splitter.end()
    finally:
        response.close()


async def stream_events_async(
    response: Any,
    decoder: Callable[[Any], T],
    sentinel: str | None = None,
    data_required: bool = True,
    *,
    parsed: bool = False,
) -> AsyncGenerator[T, None]:
    """The SDK's async parser; with `parsed`, the decoder gets each event as the dict whose JSON
    text the SDK's decoder would get (`events` reads conversation streams so)."""
    try:
        splitter = _Splitter(decoder, sentinel, data_required, parsed)
        async for chunk in response.aiter_bytes():
            for event in splitter.feed(chunk):
                yield event
            if splitter.done:
                return
        for event in splitter.end():
            yield event
    finally:
        await response.aclose()


def _parse_event(
    raw: bytes,
    decoder: Callable[[str], T],
    sentinel: str | None,
    event_id: str | None,
    data_required: bool,
    parsed: bool = False,
) -> tuple[T | None, bool, str | None]:
    publish = False
    event: dict[str, Any] = {"id": None, "event": None, "data": None, "retry": None}
    data_parts: list[str] = []
    for line in _LINES.split(raw.decode()):
        if not line:
            continue
        delim = line.find(":")
        if delim == 0:
            continue
        field, value = line, ""
        if delim > 0:
            field = line[0:delim]
            value = line[delim + 1 :] if delim < len(line) - 1 else ""
            if len(value) and value[0] == " ":
                value = value[1:]
        if field == "event":
            event["event"] = value
            publish = True
        elif field == "data":
            data_parts.append(value)
            publish = True
        elif field == "id":
            publish = True
            if "\x00" not in value:
                event_id = value
        elif field == "retry":
            if value.isdigit():
                event["retry"] = int(value)
            publish = True
    event["id"] = event_id
    has_data = bool(data_parts)
    data = "\n".join(data_parts)
    if sentinel and has_data and data == sentinel:
        return None, True, event_id
    if not has_data and publish and data_required:
        return None, False, event_id
    if has_data:
        try:
            event["data"] = json.loads(data)
        except json.JSONDecodeError:
            event["data"] = data
    if not publish:
        return None, False, event_id
    out = {k: v for k, v in event.items() if v is not None or (k == "data" and has_data)}
    return decoder(out if parsed else json.dumps(out)), False, event_id


def install() -> None:
    """Make the SDK's event streams use this parser (idempotent)."""
    from mistralai.client.utils import eventstreaming

    if eventstreaming.stream_events is not stream_events:
        eventstreaming.stream_events = stream_events
    if eventstreaming.stream_events_async is not stream_events_async:
        eventstreaming.stream_events_async = stream_events_async
