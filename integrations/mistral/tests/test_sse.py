"""integrations.mistral.sse replaces the SDK's `eventstreaming.stream_events`. These tests pin the
SDK source it replaces (a new SDK version that changes it fails here and must be reviewed), check
the SDK reaches the replacement, and compare both parsers on the same byte streams, cut into
chunks at every place, with every boundary the SSE format allows."""

from __future__ import annotations

import ast
import asyncio
import hashlib
import inspect
import json
from importlib.metadata import version

import pytest
from mistralai.client import models
from mistralai.client.utils import eventstreaming, unmarshal_json

from integrations.mistral import sse

# sha256 of ast.unparse() of each, as reviewed with mistralai 3.7.0.
REVIEWED = {
    "stream_events": "f9fcd6dd9f2e9defa37b37bb1e5b716172fecb47570a51f201920033605363c6",
    "_parse_event": "8db9122c57f40750a5e42c738c5af91c34b079440d60c62a86aa579554503dab",
    "_peek_sequence": "488f4529cab62a999bc6afa581d4eaddfae5216bbdff44dee5aefc4d86c690ad",
    # Its __init__ looks `stream_events` up as a module global: what makes install() take effect.
    "EventStream": "98e6d8b462e4177184e2b31ec98424cedb7287c2b5b1bdc3827c6722465b9141",
    "stream_events_async": "e35c232a344d3fc62c52f942eb832c18069991a1aad9dcc0814e26fdd12c3a10",
    "EventStreamAsync": "a115305b1eb8c8e971f6ccece7f1ae2e19eec33aa43e1f8cb6f5df66cab08011",
}


def _original():
    tree = ast.parse(inspect.getsource(eventstreaming))
    found = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.name in REVIEWED
    }
    namespace: dict = {}
    exec(  # noqa: S102 - the SDK's own source, to run the original next to the replacement
        compile(ast.Module(body=[found["stream_events"], found["stream_events_async"],
                                 found["_parse_event"], found["_peek_sequence"]],
                           type_ignores=[]), "sdk", "exec"),
        vars(eventstreaming) | namespace,
        namespace,
    )  # fmt: skip
    return found, namespace


def test_the_sdk_still_has_what_the_replacement_replaces_as_it_was_reviewed():
    found, _ = _original()
    assert set(found) == set(REVIEWED), f"gone from mistralai {version('mistralai')}"
    changed = [
        name
        for name, node in found.items()
        if hashlib.sha256(ast.unparse(node).encode()).hexdigest() != REVIEWED[name]
    ]
    assert changed == [], f"mistralai {version('mistralai')} changed {changed}: review sse.py"


def test_install_makes_the_sdk_use_it():
    sse.install()
    assert eventstreaming.stream_events is sse.stream_events
    assert eventstreaming.stream_events_async is sse.stream_events_async


class Body:
    def __init__(self, chunks):
        self.chunks, self.closed = chunks, False

    def iter_bytes(self):
        return iter(self.chunks)

    def close(self):
        self.closed = True

    async def aiter_bytes(self):
        for chunk in self.chunks:
            yield chunk

    async def aclose(self):
        self.closed = True


def _collect_async(parse, body, decoder, **kwargs) -> list:
    async def collect():
        return [event async for event in parse(body, decoder, **kwargs)]

    return asyncio.run(collect())


def _frames(boundary: bytes) -> bytes:
    events = [
        {"type": "conversation.response.started", "conversation_id": "conv_1"},
        {"type": "message.output.delta", "id": "msg_1", "content_index": 0, "content": "Hé\nllo"},
        {"type": "message.output.delta", "id": "msg_1", "content_index": 0, "content": " world"},
        {"type": "conversation.response.done",
         "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}},
    ]  # fmt: skip
    out = sse.UTF8_BOM + b": a comment" + boundary
    for n, event in enumerate(events):
        out += f"id: {n}\nevent: {event['type']}\nretry: 5\ndata: {json.dumps(event)}".encode()
        out += boundary
    return out + b"data: not json" + boundary + b"event: trailing\ndata: [1]"


@pytest.mark.parametrize("boundary", sse.MESSAGE_BOUNDARIES)
def test_both_parsers_give_the_same_events_however_the_bytes_arrive(boundary):
    _, original = _original()
    body = _frames(boundary)

    def decode(raw: str):
        return raw  # the JSON text each hands the SDK's decoder

    for size in (1, 2, 3, 7, 64, len(body)):
        chunks = [body[i : i + size] for i in range(0, len(body), size)]
        want = list(original["stream_events"](Body(chunks), decode))
        got_body = Body(chunks)
        got = list(sse.stream_events(got_body, decode))
        assert got == want, (boundary, size)
        assert got_body.closed
    assert len(want) >= 5


def test_the_sentinel_ends_the_stream_and_the_sdk_decoder_parses_the_events():
    body = b'event: message.output.delta\ndata: {"type": "message.output.delta", "id": "m", ' \
           b'"content": "x"}\n\ndata: [DONE]\n\ndata: {"never": 1}\n\n'  # fmt: skip
    got = list(sse.stream_events(
        Body([body]), lambda raw: unmarshal_json(raw, models.ConversationEvents), sentinel="[DONE]"
    ))  # fmt: skip
    assert [e.event for e in got] == ["message.output.delta"]
    assert got[0].data.content == "x"


def test_mixed_boundaries_many_events_to_a_chunk_parse_as_the_sdk_parses_them():
    """A reader that fell behind gets many events in one chunk; the boundary search narrows to
    the first "\\n\\n" and reads each chunk at an offset, which must not change a single event."""
    import random

    _, original = _original()
    rng = random.Random(18)
    pieces = [b'data: {"n": %d}' % n if n % 5 else b"event: e\ndata: [%d]" % n for n in range(60)]
    for _ in range(20):
        body = b"".join(piece + rng.choice(sse.MESSAGE_BOUNDARIES) for piece in pieces)
        for size in (len(body), rng.randint(5, 400)):
            chunks = [body[i : i + size] for i in range(0, len(body), size)]
            want = list(original["stream_events"](Body(chunks), str))
            assert list(sse.stream_events(Body(chunks), str)) == want
            assert len(want) >= 30


@pytest.mark.parametrize("boundary", sse.MESSAGE_BOUNDARIES)
def test_the_async_twin_parses_as_the_sdks_async_parser(boundary):
    """The worker reads its streams on one event loop (`integrations.mistral.aio`): the async
    replacement must give the SDK's async parser's events, chunked anyhow, and close the body."""
    _, original = _original()
    body = _frames(boundary)
    for size in (1, 3, 64, len(body)):
        chunks = [body[i : i + size] for i in range(0, len(body), size)]
        want = _collect_async(original["stream_events_async"], Body(chunks), str)
        got_body = Body(chunks)
        assert _collect_async(sse.stream_events_async, got_body, str) == want, (boundary, size)
        assert got_body.closed
    assert len(want) >= 5
    sentinel = b'data: {"a": 1}\n\ndata: [DONE]\n\ndata: {"never": 1}\n\n'
    stopped = Body([sentinel])
    assert _collect_async(sse.stream_events_async, stopped, str, sentinel="[DONE]") == [
        _collect_async(original["stream_events_async"], Body([sentinel]), str)[0]
    ]
    assert stopped.closed
