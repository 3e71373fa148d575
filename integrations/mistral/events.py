"""A conversation stream's events as plain data, read straight from the response body.

Through the SDK, every event is parsed from JSON, dumped back to JSON for the SDK's decoder,
parsed again, validated into a pydantic model and dumped to a dict: about 100 us an event, at a
token per event a seventh of the worker's CPU. Here the body is split with the same parser
(`sse`), the decoder gets the parsed event, and the one event that makes up nearly all of a
token-rate stream, a text `message.output.delta`, is built directly, exactly as the SDK's model
would dump it (`tests/test_stream_events.py` compares the two on every shape of delta). Every
other event, and any delta the fast path is not sure of, goes through the SDK's own decoder.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from mistralai.client import models
from mistralai.client.utils.unmarshal_json_response import unmarshal_json_response

from integrations.mistral import sse

DELTA = "message.output.delta"
# MessageOutputEvent's fields, in its order (the order its dump has).
_DELTA_KEYS = frozenset(
    ("id", "content", "type", "created_at", "output_index", "content_index", "model", "agent_id",
     "role")
)  # fmt: skip
_UNSEEN = object()
_STAMPS: dict[str, Any] = {}  # a delta's created_at as the SDK dumps it (None: it refuses it)
STAMPS_KEPT = 4096


@dataclass(frozen=True)
class StreamEvent:
    type: str
    data: dict[str, Any]


def dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)


def from_sdk(event: Any) -> StreamEvent:
    """A `ConversationEvents` the SDK decoded, as plain data."""
    data = event.data
    if hasattr(data, "model_dump"):
        payload = dump(data)
        if type(data).__name__.startswith("Unknown"):
            payload = dict(getattr(data, "raw", None) or {})
    else:
        payload = dict(data or {})
    return StreamEvent(type=payload.get("type") or event.event, data=payload)


def _stamp(value: str) -> Any:
    """`created_at` as the SDK's model validates and dumps it, worked out by that model once per
    distinct value (all the deltas of one message share their message's)."""
    dumped = _STAMPS.get(value, _UNSEEN)
    if dumped is _UNSEEN:
        try:
            model = models.MessageOutputEvent(id="", content="", created_at=value)
            dumped = dump(model).get("created_at")
        except ValueError:  # pydantic's ValidationError: the SDK refuses it
            dumped = None
        if len(_STAMPS) >= STAMPS_KEPT:
            _STAMPS.clear()
        _STAMPS[value] = dumped
    return dumped


def text_delta(data: Any) -> dict[str, Any] | None:
    """The SDK's dump of a text delta, or None when `data` is anything else or anything the SDK
    might treat differently (an unknown key, a null, a value of another type, a timestamp it
    refuses): those take the SDK's path."""
    if type(data) is not dict or data.get("type") != DELTA or not data.keys() <= _DELTA_KEYS:
        return None
    if type(data.get("id")) is not str or type(data.get("content")) is not str:
        return None
    if data.get("role", "assistant") != "assistant":
        return None
    dumped = {"id": data["id"], "content": data["content"], "type": DELTA}
    stamp = data.get("created_at")
    if stamp is not None:  # a null created_at is dropped from the dump, as the SDK drops it
        if type(stamp) is not str or (dumped_stamp := _stamp(stamp)) is None:
            return None
        dumped["created_at"] = dumped_stamp
    for key in ("output_index", "content_index"):
        value = data.get(key, 0)
        if type(value) is not int:
            return None
        dumped[key] = value
    for key in ("model", "agent_id"):
        if key in data:
            if type(data[key]) is not str:
                return None
            dumped[key] = data[key]
    dumped["role"] = "assistant"
    return dumped


class ConversationEventBody:
    """An opened conversation stream (the SDK's `EventStreamAsync`), read as `StreamEvent`s.
    Closing it closes the HTTP response, as the SDK's stream does."""

    def __init__(self, opened: Any) -> None:
        self.opened = opened  # keeps the SDK's client referenced while the body is read
        self.response = opened.response

    def decode(self, event: dict[str, Any]) -> StreamEvent:
        fast = text_delta(event.get("data"))
        if fast is not None:
            return StreamEvent(type=DELTA, data=fast)
        # The text the SDK's own parser hands its decoder, decoded as the SDK decodes it.
        text = json.dumps(event)
        return from_sdk(unmarshal_json_response(models.ConversationEvents, self.response, text))

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return sse.stream_events_async(self.response, self.decode, parsed=True)

    async def __aenter__(self) -> ConversationEventBody:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.response.aclose()
