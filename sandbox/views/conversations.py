"""`/v1/conversations`: start, append, restart (blocking or `stream: true`), get, list, history,
messages, delete. The body's `stream` decides the answer; the URL is the same for both."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from sandbox import engine, stream, wire
from sandbox.views.common import View, api_view, db, json_body, query_int, query_metadata


async def _respond(turn: engine.PreparedTurn, streaming: bool) -> HttpResponse:
    frames = stream.events(turn.conversation_id, turn.outputs, turn.usage, turn.knobs.chunk)
    knobs = turn.knobs

    async def finish(completed: bool) -> None:
        await db(engine.finish)(turn, completed=completed)

    try:
        if knobs.fault == "slow_first_byte":  # nothing at all, not even headers, until then
            await asyncio.sleep(knobs.first_byte_ms / 1000)
        if not streaming and (wait := stream.blocking_delay(frames, knobs.delay_ms)):
            await asyncio.sleep(wait)
    except BaseException:  # the client went away: the turn still completes, as the API's does
        await asyncio.shield(finish(True))
        raise
    if not streaming:
        await finish(True)
        body = wire.conversation_response(turn.conversation_id, turn.outputs, turn.usage)
        return wire.json_response(body)
    body_iterator = stream.sse_body(
        frames,
        delay_ms=knobs.delay_ms,
        fault=knobs.fault,
        finish=finish,
        trace_key=f"sandbox-trace:{turn.conversation_id}" if knobs.trace else None,
    )
    response = StreamingHttpResponse(body_iterator, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # proxies must not buffer the stream
    return response


def _turn(run: Callable[..., engine.PreparedTurn]) -> View:
    async def handler(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        body = json_body(request)
        turn = await db(run)(*kwargs.values(), body, request.headers)
        return await _respond(turn, bool(body.get("stream")))

    return handler


def _reader(read: Callable[..., Any], status: int = 200) -> View:
    async def handler(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        data = await db(read)(*kwargs.values())
        if status == 204:
            return HttpResponse(status=204)
        return wire.json_response(data, status=status)

    return handler


async def _list(request: HttpRequest) -> HttpResponse:
    page, size = query_int(request, "page", 0), query_int(request, "page_size", 100) or 100
    data = await db(engine.list_conversations)(page, size, query_metadata(request))
    return wire.json_response(data)


conversations = api_view({"POST": _turn(engine.start), "GET": _list})
conversation = api_view(
    {
        "POST": _turn(engine.append),
        "GET": _reader(engine.get),
        "DELETE": _reader(engine.delete, status=204),
    }
)
conversation_restart = api_view({"POST": _turn(engine.restart)})
conversation_history = api_view({"GET": _reader(engine.history)})
conversation_messages = api_view({"GET": _reader(engine.messages)})
