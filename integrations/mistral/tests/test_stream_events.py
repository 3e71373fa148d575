"""`integrations.mistral.events` builds text deltas without the SDK's decoder. These tests pin the
SDK model it mirrors, compare the fast path with the SDK's own decoding on every shape of delta
(it must either give exactly the SDK's dump, key order included, or step aside), and read one
sandbox stream both ways over HTTP."""

from __future__ import annotations

import ast
import asyncio
import hashlib
import inspect
import itertools
import json
import random

import pytest
from mistralai.client import Mistral, models
from mistralai.client.models import messageoutputevent
from mistralai.client.utils import unmarshal_json

from integrations.mistral import backend, events

# sha256 of ast.unparse() of the class, as reviewed with mistralai 3.7.0.
REVIEWED_MODEL = "66f12fea70722a5f84c1a368ddb5b4e6e13781779b942e23fae80ce421b3daea"
BASE = {
    "type": "message.output.delta",
    "id": "msg_1",
    "content": "The rate",
}
VALUES = {
    "id": ["msg_1", "", None, 7],
    "content": ["tok", "", None, 3, {"type": "text", "text": "x"}],
    "output_index": [0, 2, None, True, "1", 1.5],
    "content_index": [0, 4, None, False, "0"],
    "model": ["mistral-medium-latest", "", None, 1],
    "agent_id": ["ag_1", None, 0],
    "role": ["assistant", "user", None],
    "created_at": [
        "2025-05-27T10:59:41.602844Z",
        "2025-05-27T10:59:41+02:00",
        "2025-05-27T10:59:41.6Z",
        "2025-05-27 10:59:41",
        "2025-05-27",
        "1748343581",
        "2025-13-45T10:59:41Z",
        "yesterday",
        None,
        17,
    ],
    "extra": [1, None],
    "type": ["message.output.delta", "message.output.deltas"],
}
MISSING = object()
VARYING = ("conversation_id", "id", "created_at")  # what differs between two conversations


def _sdk(data) -> dict | None:
    """What the SDK path gives for this data, or None when the SDK refuses it."""
    backend._cache_sdk_unmarshallers()
    try:
        text = json.dumps({"event": "x", "data": data})
        decoded = unmarshal_json(text, models.ConversationEvents)
    except Exception:  # noqa: BLE001 - refused by validation: the fast path must step aside too
        return None
    return events.from_sdk(decoded).data


def test_the_sdk_model_is_as_it_was_reviewed():
    source = inspect.getsource(messageoutputevent)
    [model] = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and node.name == "MessageOutputEvent"
    ]
    digest = hashlib.sha256(ast.unparse(model).encode()).hexdigest()
    assert digest == REVIEWED_MODEL, "mistralai changed MessageOutputEvent: review events.py"


def test_the_usual_delta_takes_the_fast_path_and_dumps_as_the_sdk_does():
    data = {**BASE, "output_index": 0, "content_index": 0, "model": "m", "agent_id": "ag_1",
            "role": "assistant"}  # fmt: skip
    fast = events.text_delta(data)
    assert fast is not None
    assert list(fast.items()) == list(_sdk(data).items())
    assert list(events.text_delta(BASE).items()) == list(_sdk(BASE).items())  # defaults filled
    stamped = {**data, "created_at": "2025-05-27T10:59:41.602844Z"}  # as the API sends them
    assert list(events.text_delta(stamped).items()) == list(_sdk(stamped).items())


def _variants():
    rng = random.Random(18)
    keys = list(VALUES)
    for size in range(len(keys) + 1):
        for chosen in itertools.combinations(keys, size):
            if len(chosen) <= 2:  # every pair of fields changed from the base, every value
                for values in itertools.product(*(VALUES[k] + [MISSING] for k in chosen)):
                    yield dict(zip(chosen, values, strict=True))
            elif rng.random() < 0.2:  # and a sample of wider changes
                yield {k: rng.choice([*VALUES[k], MISSING]) for k in chosen}


def test_the_fast_path_gives_the_sdks_dump_or_steps_aside():
    fast_taken = 0
    for change in _variants():
        data = {**BASE, **change}
        data = {k: v for k, v in data.items() if v is not MISSING}
        fast = events.text_delta(data)
        if fast is None:
            continue
        fast_taken += 1
        want = _sdk(data)
        assert want is not None, f"the SDK refuses what the fast path took: {data}"
        assert list(fast.items()) == list(want.items()), data
    assert fast_taken > 50  # the comparison really ran on accepted deltas


def test_other_events_are_not_taken():
    for data in (
        {"type": "conversation.response.started", "conversation_id": "c"},
        {**BASE, "content": {"type": "tool_reference", "tool": "web_search", "title": "t"}},
        [BASE],
        None,
        "message.output.delta",
    ):
        assert events.text_delta(data) is None


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_a_sandbox_stream_reads_the_same_both_ways(asgi_server, settings):
    sdk = Mistral(api_key=settings.SANDBOX_API_KEY, server_url=f"{asgi_server.url}/sandbox")
    agent = sdk.beta.agents.create(model="mistral-medium-latest", name="both-ways").id
    metadata = {"sandbox_chunk": "token", "sandbox_reply_tokens": 40}

    async def read(fast: bool) -> list:
        opened = await sdk.beta.conversations.start_stream_async(
            agent_id=agent, inputs="Hello", metadata=metadata
        )
        if fast:
            async with events.ConversationEventBody(opened) as body:
                return [event async for event in body]
        async with opened:
            return [events.from_sdk(event) async for event in opened]

    async def both() -> tuple[list, list]:  # one loop: the SDK's async pool is bound to it
        return await read(True), await read(False)

    backend._cache_sdk_unmarshallers()
    fast, slow = asyncio.run(both())
    strip = [(e.type, {k: v for k, v in e.data.items() if k not in VARYING})
             for e in fast]  # fmt: skip
    assert strip == [(e.type, {k: v for k, v in e.data.items() if k not in VARYING}) for e in slow]
    assert [e.type for e in fast].count("message.output.delta") >= 20
    assert fast[-1].type == "conversation.response.done"
