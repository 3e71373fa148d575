"""Chat completions for the local runtime: `client.chat.stream` with tools, as plain data.

The server is LOCAL_COMPLETIONS_URL (any server speaking Mistral's chat-completion API), else
the active backend's; model names go through LOCAL_MODEL_MAP. Tool-call deltas are joined by
their `index`, so a server that streams arguments in pieces works as well as one that sends
each call whole.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from mistralai.client import Mistral

from integrations.mistral import backend
from integrations.mistral.backend import BackendError

_lock = threading.Lock()
_client: tuple[tuple[str, str], Mistral] | None = None
# Completion args an agent may carry that chat completions take as they are.
PASSED_ARGS = ("temperature", "top_p", "max_tokens", "random_seed", "stop", "presence_penalty",
               "frequency_penalty", "response_format", "tool_choice", "prediction",
               "parallel_tool_calls", "reasoning_effort")  # fmt: skip


@dataclass
class ChatDelta:
    """One streamed piece: text, or (at the end) the finished tool calls and usage."""

    content: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, int] | None = None


def completions_url() -> str:
    return settings.LOCAL_COMPLETIONS_URL or backend.server_url()


def _api_key() -> str:
    if settings.LOCAL_COMPLETIONS_URL:
        return settings.LOCAL_COMPLETIONS_API_KEY or "local"  # many self-hosted servers want none
    return backend.api_key()


def model_map() -> dict[str, str]:
    """LOCAL_MODEL_MAP parsed: "a=b,*=c" → {"a": "b", "*": "c"} (malformed pairs ignored)."""
    out: dict[str, str] = {}
    for pair in (settings.LOCAL_MODEL_MAP or "").split(","):
        name, sep, served = pair.partition("=")
        if sep and name.strip() and served.strip():
            out[name.strip()] = served.strip()
    return out


def served_model(model: str) -> str:
    mapping = model_map()
    return mapping.get(model) or mapping.get("*") or model


def _chat_client() -> Mistral:
    global _client
    key = (completions_url(), _api_key())
    with _lock:
        if _client is None or _client[0] != key:
            retry = backend.retry_config()
            sdk = Mistral(
                api_key=key[1],
                server_url=key[0],
                timeout_ms=settings.MISTRAL_TIMEOUT_MS,
                retry_config=retry,
            )
            _ = sdk.chat
            _client = (key, sdk)
        return _client[1]


def chat_stream(
    *,
    model: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    completion_args: dict[str, Any] | None = None,
) -> Iterator[ChatDelta]:
    """Stream one model call. Text arrives as it comes; the last delta carries the joined tool
    calls, the finish reason and the usage. Failures raise BackendError."""
    args = {k: v for k, v in (completion_args or {}).items() if k in PASSED_ARGS and v is not None}
    if not tools:
        args.pop("tool_choice", None)
        args.pop("parallel_tool_calls", None)
    calls: dict[int, dict[str, Any]] = {}
    finish: str | None = None
    usage: dict[str, int] | None = None
    try:
        stream = _chat_client().chat.stream(
            model=served_model(model), messages=messages, tools=tools or None, **args
        )
        with stream as events:
            for event in events:
                chunk = event.data
                if chunk.usage is not None:
                    usage = {
                        "prompt_tokens": int(chunk.usage.prompt_tokens or 0),
                        "completion_tokens": int(chunk.usage.completion_tokens or 0),
                        "total_tokens": int(chunk.usage.total_tokens or 0),
                    }
                for choice in chunk.choices:
                    finish = choice.finish_reason or finish
                    delta = choice.delta
                    for position, call in enumerate(delta.tool_calls or []):
                        index = call.index if isinstance(call.index, int) else position
                        joined = calls.setdefault(
                            index, {"id": "", "type": "function",
                                    "function": {"name": "", "arguments": ""}}
                        )  # fmt: skip
                        joined["id"] = call.id if isinstance(call.id, str) else joined["id"]
                        joined["function"]["name"] += call.function.name or ""
                        arguments = call.function.arguments
                        if not isinstance(arguments, str):
                            arguments = json.dumps(arguments)
                        joined["function"]["arguments"] += arguments
                    if isinstance(delta.content, str) and delta.content:
                        yield ChatDelta(content=delta.content)
    except BackendError:
        raise
    except Exception as exc:
        raise BackendError(backend.describe(exc)) from exc
    yield ChatDelta(tool_calls=[calls[i] for i in sorted(calls)], finish_reason=finish, usage=usage)
