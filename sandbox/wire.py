"""The Mistral API's wire format: ids, timestamps, entries, objects, error bodies, SSE frames.

Shapes follow ../shared/reference/mistral-api.md and were checked against mistralai 3.7.0: fields
the SDK requires are always present (e.g. `Agent.versions`, `tool.execution.arguments`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import string
import time
import uuid
from typing import Any

from django.http import JsonResponse

Entry = dict[str, Any]

_ALNUM = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """`conv_`, `ag_`, `msg_`, `fc_`, `tool_exec_`, `handoff_` + 32 hex chars, as the API does."""
    return f"{prefix}{uuid.uuid4().hex}"


def new_tool_call_id() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(9))


def new_file_id() -> str:
    return str(uuid.uuid4())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    """ISO-8601 with microseconds and a `Z`, like the real API."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_base(entry_type: str, prefix: str, *, completed: bool = True) -> Entry:
    stamp = iso(now())
    return {
        "object": "entry",
        "type": entry_type,
        "id": new_id(prefix),
        "created_at": stamp,
        "completed_at": stamp if completed else None,
    }


def message_input(content: Any, role: str = "user", prefix: bool = False) -> Entry:
    return entry_base("message.input", "msg_") | {
        "role": role,
        "content": content,
        "prefix": prefix,
    }


def message_output(content: Any, agent_id: str | None, model: str) -> Entry:
    return entry_base("message.output", "msg_") | {
        "agent_id": agent_id,
        "model": model,
        "role": "assistant",
        "content": content,
    }


def function_call(name: str, arguments: str, agent_id: str | None, model: str) -> Entry:
    return entry_base("function.call", "fc_", completed=False) | {
        "tool_call_id": new_tool_call_id(),
        "name": name,
        "arguments": arguments,
        "agent_id": agent_id,
        "model": model,
        "confirmation_status": None,
    }


def function_result(tool_call_id: str, result: str) -> Entry:
    return entry_base("function.result", "fr_") | {"tool_call_id": tool_call_id, "result": result}


def tool_execution(
    name: str, arguments: str, info: dict[str, Any], agent_id: str | None, model: str
) -> Entry:
    return entry_base("tool.execution", "tool_exec_") | {
        "name": name,
        "arguments": arguments,
        "info": info,
        "agent_id": agent_id,
        "model": model,
    }


def agent_handoff(previous: tuple[str, str], following: tuple[str, str]) -> Entry:
    return entry_base("agent.handoff", "handoff_") | {
        "previous_agent_id": previous[0],
        "previous_agent_name": previous[1],
        "next_agent_id": following[0],
        "next_agent_name": following[1],
    }


def usage(prompt_tokens: int, completion_tokens: int, connectors: dict[str, int]) -> dict:
    connector_tokens = 50 * sum(connectors.values())
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens + connector_tokens,
        "connector_tokens": connector_tokens or None,
        "connectors": connectors or None,
    }


def conversation_response(conversation_id: str, outputs: list[Entry], usage_: dict) -> dict:
    return {
        "object": "conversation.response",
        "conversation_id": conversation_id,
        "outputs": outputs,
        "usage": usage_,
        "guardrails": None,
    }


# ---- responses -----------------------------------------------------------------------------


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None):
    return JsonResponse(data, status=status, safe=False, headers=headers)


def error(
    status: int,
    message: Any,
    *,
    code: Any = None,
    type_: str = "invalid_request_error",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """The `{"object":"error",...}` body the real API sends for 4xx/5xx."""
    body = {"object": "error", "message": message, "type": type_, "param": param, "code": code}
    return json_response(body, status=status, headers=headers)


def validation_error(loc: list[Any], msg: str, type_: str = "value_error") -> JsonResponse:
    """422 as the real API wraps FastAPI's detail list."""
    return error(422, {"detail": [{"loc": loc, "msg": msg, "type": type_}]})


def not_found(what: str, ident: str) -> JsonResponse:
    return error(404, f"{what} with id {ident} was not found", code=None, type_="not_found")


def sse_frame(event_type: str, data: dict[str, Any]) -> bytes:
    """One SSE block. `id:` carries the emission time in unix milliseconds: the SDK ignores it,
    and a benchmark reading the raw stream can measure the sandbox's own timing with it."""
    payload = json.dumps({"type": event_type} | data, separators=(",", ":"))
    return f"id: {int(time.time() * 1000)}\nevent: {event_type}\ndata: {payload}\n\n".encode()
