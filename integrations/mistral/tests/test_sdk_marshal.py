"""`integrations.mistral.sdk_cache` replaces the `mistralai` SDK's `serializers.marshal_json` (every
request body) with a copy that caches its model class. These tests pin what it replaces, check
every module that bound the name reaches the copy, and compare both on the request bodies a turn
and a sync send."""

from __future__ import annotations

import ast
import hashlib
import inspect
import typing
from importlib import import_module
from importlib.metadata import version

import pytest
from mistralai.client import models, utils
from mistralai.client.utils import serializers

from integrations.mistral import sdk_cache

# sha256 of ast.unparse() of marshal_json, as reviewed with mistralai 3.7.0.
REVIEWED = "a51600b5b76f20e9894f81767164b7549fb0cfd1a4bd1ee93a530f580563026a"
INPUTS = [
    {"type": "message.input", "role": "user", "content": "What is the ECB rate?"},
    {"type": "function.result", "tool_call_id": "abc123XYZ", "result": "2.5%"},
]


# The SDK's own spelling (typing.Optional, a typing.Union): its is_nullable looks for that origin.
OPTIONAL_APPEND = typing.Optional.__getitem__(models.ConversationAppendStreamRequest)


def _original():
    current = serializers.marshal_json
    if not getattr(current, "cached_by_agentstudio", False):
        return current
    return inspect.getclosurevars(current).nonlocals["original"]


def _bodies():
    inputs = utils.get_pydantic_model(INPUTS, models.ConversationInputs)
    return [
        (models.ConversationStreamRequest(agent_id="ag_1", inputs="Hello", stream=True,
                                          handoff_execution="client", metadata={"a": 1}),
         models.ConversationStreamRequest),
        (models.ConversationStreamRequest(agent_id="ag_1", inputs=inputs),
         models.ConversationStreamRequest),
        (models.ConversationAppendStreamRequest(inputs=inputs, handoff_execution="server"),
         models.ConversationAppendStreamRequest),
        (models.ConversationAppendStreamRequest(inputs="again"),
         OPTIONAL_APPEND),
        (models.CreateAgentRequest(model="mistral-medium-latest", name="finance",
                                   instructions="Be brief.", handoffs=["ag_2"],
                                   tools=[{"type": "web_search"}],
                                   completion_args={"temperature": 0.3}),
         models.CreateAgentRequest),
        (None, OPTIONAL_APPEND),
        ("plain", str),
        ({"a": [1, 2]}, dict),
    ]  # fmt: skip


@pytest.fixture(autouse=True)
def installed():
    sdk_cache.cache_marshallers()


def test_the_sdk_still_has_what_is_replaced_as_it_was_reviewed():
    source = ast.unparse(ast.parse(inspect.getsource(_original())))
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == REVIEWED, f"mistralai {version('mistralai')} changed marshal_json: review"


def test_every_module_that_bound_the_name_reaches_the_copy():
    copy = serializers.marshal_json
    assert copy.cached_by_agentstudio
    for name in sdk_cache.MARSHAL_USERS:
        assert import_module(f"mistralai.client.utils.{name}").marshal_json is copy, name
    sdk_cache.cache_marshallers()  # idempotent
    assert serializers.marshal_json is copy


@pytest.mark.parametrize("index", range(len(_bodies())))
def test_the_copy_serializes_as_the_sdk_does(index):
    value, typ = _bodies()[index]
    want = _original()(value, typ)
    assert serializers.marshal_json(value, typ) == want
    assert serializers.marshal_json(value, typ) == want  # and again, from the cached class


def test_a_request_body_goes_through_the_copy():
    body = utils.serialize_request_body(
        models.ConversationAppendStreamRequest(inputs="again"),
        False,
        False,
        "json",
        models.ConversationAppendStreamRequest,
    )
    assert body.content == _original()(
        models.ConversationAppendStreamRequest(inputs="again"),
        models.ConversationAppendStreamRequest,
    )
    assert '"inputs":"again"' in body.content
