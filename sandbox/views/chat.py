"""`/v1/chat/completions` (blocking, or `stream: true` as `data:`-only chunks ended by
`data: [DONE]`) and the legacy `/v1/agents/completions`, which answers Mistral's deprecation."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from sandbox import faults, wire
from sandbox.chat import ChatReply, chat_reply
from sandbox.stream import word_pieces
from sandbox.views.common import api_view, json_body

AGENTS_COMPLETION_DEPRECATED = (
    "The Agents completion API (/v1/agents/completions) is deprecated: use the Conversations "
    "API (/v1/conversations) with agent_id, or chat completions (/v1/chat/completions)."
)


def _head(reply: ChatReply, completion_id: str, created: int) -> dict[str, Any]:
    return {"id": completion_id, "created": created, "model": reply.model}


def _message(reply: ChatReply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = reply.tool_calls
    return message


def _chunk(head: dict[str, Any], delta: dict[str, Any], finish: str | None = None,
           usage: dict[str, Any] | None = None) -> bytes:  # fmt: skip
    data = head | {"object": "chat.completion.chunk",
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
    if usage is not None:
        data["usage"] = usage
    return f"data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def _frames(reply: ChatReply, head: dict[str, Any], delay_ms: int) -> AsyncIterator[bytes]:
    yield _chunk(head, {"role": "assistant", "content": ""})
    if reply.content:
        for piece in word_pieces(reply.content):
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            yield _chunk(head, {"content": piece})
    for call in reply.tool_calls:  # each call whole in one delta, as Mistral sends them
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        yield _chunk(head, {"content": "", "tool_calls": [call]})
    yield _chunk(head, {"content": ""}, reply.finish_reason, reply.usage)
    yield b"data: [DONE]\n\n"


async def completions(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    knobs = faults.knobs(body.get("metadata"), request.headers, "")
    streaming = bool(body.get("stream"))
    refused = faults.refusal(knobs, stream=streaming)
    if refused is not None:
        return refused
    reply = chat_reply(body)
    head = _head(reply, wire.new_id("cmpl_"), int(time.time()))
    if streaming:
        response = StreamingHttpResponse(
            _frames(reply, head, knobs.delay_ms), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response
    choice = {"index": 0, "finish_reason": reply.finish_reason, "message": _message(reply)}
    return wire.json_response(
        head | {"object": "chat.completion", "choices": [choice], "usage": reply.usage}
    )


async def agents_completion(request: HttpRequest) -> HttpResponse:
    return wire.error(410, AGENTS_COMPLETION_DEPRECATED, code="deprecated", type_="deprecated")


chat_completions = api_view({"POST": completions})
agents_completions = api_view({"POST": agents_completion})
