"""integrations.mistral.sdk_cache (installed by the backend's client) replaces the `mistralai`
SDK's private `serializers.unmarshal` with a caching copy. These tests pin what it replaces: when
a new SDK version changes the function, the helper it relies on, or the path by which the SDK
reaches it, they fail, and the replacement must be reviewed again (or dropped) before the version
is taken."""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from mistralai.client import models
from mistralai.client.utils import serializers

from integrations.mistral import backend

# sha256 of ast.unparse() of each function in mistralai/client/utils/serializers.py, as
# reviewed with mistralai 3.7.0: what is replaced, the private helper the replacement calls,
# and the caller that looks `unmarshal` up as a module global at call time (every response body
# and stream event goes through it), which is what makes the replacement take effect.
REVIEWED = {
    "unmarshal": "5a2b720ea3c00986f2bb81256531fd7866b1bf4b42b0a20078d42efdc80076ec",
    "_coerce_iterables_for_type": (
        "775154dd9b0db7a32f50d7aa58be5a682e573f57e914cbc3d7ae7d8ca20127cb"
    ),
    "unmarshal_json": "046a47d981754f14aef46bc832a41e368f2dadc26d4c663379aa80fe754a845b",
}
REVIEWED_SIGNATURE = "(val, typ: Any, coerce_iterables: bool = True) -> Any"

EVENTS = [
    {
        "type": "conversation.response.started",
        "conversation_id": "conv_1",
        "created_at": "2025-05-27T10:59:41.602844Z",
    },
    {
        "type": "agent.handoff.started",
        "output_index": 0,
        "id": "handoff_1",
        "previous_agent_id": "ag_a",
        "previous_agent_name": "finance-agent",
    },
    {
        "type": "agent.handoff.done",
        "output_index": 0,
        "id": "handoff_1",
        "next_agent_id": "ag_b",
        "next_agent_name": "websearch-agent",
    },
    {
        "type": "tool.execution.started",
        "output_index": 1,
        "id": "tool_exec_1",
        "name": "web_search",
        "arguments": "",
        "agent_id": "ag_b",
        "model": "mistral-medium-latest",
    },
    {
        "type": "tool.execution.done",
        "output_index": 1,
        "id": "tool_exec_1",
        "name": "web_search",
        "info": {},
    },
    {
        "type": "message.output.delta",
        "output_index": 2,
        "id": "msg_1",
        "content_index": 0,
        "model": "mistral-medium-latest",
        "agent_id": "ag_b",
        "role": "assistant",
        "content": "The rate",
    },
    {
        "type": "message.output.delta",
        "output_index": 2,
        "id": "msg_1",
        "content_index": 1,
        "role": "assistant",
        "content": {
            "type": "tool_reference",
            "tool": "web_search",
            "title": "ECB",
            "url": "https://ecb.europa.eu",
        },
    },
    {
        "type": "function.call.delta",
        "output_index": 3,
        "id": "fc_1",
        "name": "get_rate",
        "tool_call_id": "NqCFiwvSV",
        "arguments": '{"date": ',
    },
    {
        "type": "conversation.response.done",
        "usage": {"prompt_tokens": 18709, "completion_tokens": 183, "total_tokens": 18892},
    },
    {"type": "conversation.response.error", "message": "boom", "code": 3000},
    {"type": "some.future.event", "whatever": [1, 2]},
]
AGENT = {
    "object": "agent",
    "id": "ag_1",
    "version": 1,
    "versions": [0, 1],
    "model": "mistral-medium-latest",
    "name": "finance-agent",
    "description": "d",
    "instructions": "i",
    "tools": [
        {
            "type": "function",
            "function": {"name": "get_rate", "parameters": {"type": "object", "properties": {}}},
        },
        {"type": "web_search"},
        {"type": "document_library", "library_ids": ["lib_1"]},
    ],
    "completion_args": {"temperature": 0.3, "tool_choice": "auto"},
    "handoffs": ["ag_2"],
    "created_at": "2025-05-27T10:59:41.602844Z",
    "updated_at": "2025-05-27T10:59:41.602846Z",
    "deployment_chat": False,
    "source": "api",
}
HISTORY = {
    "object": "conversation.history",
    "conversation_id": "conv_1",
    "entries": [
        {
            "object": "entry",
            "type": "message.input",
            "id": "in_1",
            "created_at": "2025-05-27T10:59:41Z",
            "role": "user",
            "content": "Rate?",
        },
        {
            "object": "entry",
            "type": "agent.handoff",
            "id": "handoff_1",
            "created_at": "2025-05-27T10:59:41Z",
            "previous_agent_id": "ag_a",
            "previous_agent_name": "a",
            "next_agent_id": "ag_b",
            "next_agent_name": "b",
        },
        {
            "object": "entry",
            "type": "message.output",
            "id": "msg_1",
            "created_at": "2025-05-27T10:59:41Z",
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Here "},
                {
                    "type": "tool_file",
                    "tool": "code_interpreter",
                    "file_id": "f_1",
                    "file_name": "plot_0.png",
                    "file_type": "png",
                },
            ],
        },
        {
            "object": "entry",
            "type": "function.call",
            "id": "fc_1",
            "created_at": "2025-05-27T10:59:41Z",
            "tool_call_id": "c1",
            "name": "get_rate",
            "arguments": "{}",
        },
        {
            "object": "entry",
            "type": "function.result",
            "id": "fr_1",
            "created_at": "2025-05-27T10:59:41Z",
            "tool_call_id": "c1",
            "result": "2.5%",
        },
    ],
}
SAMPLES: list[tuple[Any, Any]] = [
    *((event, models.ConversationEventsData) for event in EVENTS),
    (AGENT, models.Agent),
    ([AGENT, AGENT], list[models.Agent]),
    (HISTORY, models.ConversationHistory),
]


def _sdk_functions() -> dict[str, ast.FunctionDef]:
    source = Path(serializers.__file__).read_text()
    return {
        node.name: node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name in REVIEWED
    }


def _original_unmarshal():
    """The SDK's own function: the module attribute until the adapter replaces it, then the one
    its replacement falls back to."""
    current = serializers.unmarshal
    if not getattr(current, "cached_by_agentstudio", False):
        return current
    return inspect.getclosurevars(current).nonlocals["original"]


@pytest.fixture
def replacement():
    backend._cache_sdk_unmarshallers()
    assert serializers.unmarshal.cached_by_agentstudio
    return serializers.unmarshal


def test_the_sdk_still_has_what_the_adapter_replaces_as_it_was_reviewed():
    functions = _sdk_functions()
    assert set(functions) == set(REVIEWED), f"gone from mistralai {version('mistralai')}"
    changed = {
        name: hashlib.sha256(ast.unparse(node).encode()).hexdigest()
        for name, node in functions.items()
        if hashlib.sha256(ast.unparse(node).encode()).hexdigest() != REVIEWED[name]
    }
    assert not changed, (
        f"mistralai {version('mistralai')} changed {sorted(changed)}: review "
        "integrations.mistral.backend._cache_sdk_unmarshallers against it, then update REVIEWED"
    )
    assert str(inspect.signature(_original_unmarshal())) == REVIEWED_SIGNATURE
    assert callable(serializers._coerce_iterables_for_type)


def test_the_sdk_reaches_the_replacement(replacement):
    # unmarshal_json (every response body and stream event) looks the name up at call time.
    assert serializers.unmarshal_json.__globals__["unmarshal"] is replacement
    backend._cache_sdk_unmarshallers()  # idempotent: no replacement of the replacement
    assert serializers.unmarshal is replacement


@pytest.mark.parametrize("coerce_iterables", [True, False])
@pytest.mark.parametrize(("payload", "typ"), SAMPLES, ids=lambda v: getattr(v, "__name__", None))
def test_the_replacement_returns_what_the_sdk_would(replacement, payload, typ, coerce_iterables):
    original = _original_unmarshal()
    expected = original(json.loads(json.dumps(payload)), typ, coerce_iterables)
    for _ in range(2):  # the second call uses the cached model class
        got = replacement(json.loads(json.dumps(payload)), typ, coerce_iterables)
        assert type(got) is type(expected)
        assert got == expected
        dump = getattr(expected, "model_dump", None)
        if dump is not None:
            assert got.model_dump(mode="json") == dump(mode="json")


def test_stream_event_bodies_decode_the_same_through_the_sdk_path(replacement):
    original = _original_unmarshal()
    for event in EVENTS:
        raw = json.dumps({"event": event["type"], "data": event})
        got = serializers.unmarshal_json(raw, models.ConversationEvents)
        assert got == original(json.loads(raw), models.ConversationEvents, False)
