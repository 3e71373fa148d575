"""A customer-support graph used nowhere else, routed by the policy alone through the SDK:
several requests reach the right specialist, and a greeting stays with the entry agent."""

from __future__ import annotations

import json

import pytest
from mistralai.client.models import AgentHandoffEntry, FunctionCallEntry, MessageOutputEntry

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

ISSUE_REFUND = {
    "type": "function",
    "function": {
        "name": "issue_refund",
        "description": "Refund an order",
        "parameters": {
            "type": "object",
            "properties": {
                "order_id": {"type": "string", "description": "Order identifier"},
                "amount": {"type": "number"},
                "reason": {"type": "string", "enum": ["damaged", "late", "unwanted"]},
            },
            "required": ["order_id", "reason"],
            "additionalProperties": False,
        },
    },
}


@pytest.fixture
def support(client) -> dict[str, str]:
    agents = client.beta.agents
    specs = {
        "front-desk": "Greets customers of the bike shop",
        "billing-specialist": "Explains charges on invoices and payment problems",
        "refunds-desk": "Processes refund requests for returned orders",
        "shipping-tracker": "Tracks parcels and delivery status",
        "workshop-mechanic": "Repairs brakes, gears and punctures",
    }
    ids = {}
    for name, description in specs.items():
        tools = [ISSUE_REFUND] if name == "refunds-desk" else []
        ids[name] = agents.create(model="mistral-small-latest", name=name, description=description,
                                  tools=tools).id  # fmt: skip
    agents.update(agent_id=ids["front-desk"], handoffs=[ids[n] for n in specs if n != "front-desk"])
    return ids


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Why was I charged twice this month?", "billing-specialist"),
        ("My parcel still shows no delivery update", "shipping-tracker"),
        ("The brakes squeal and the gears slip", "workshop-mechanic"),
    ],
)
def test_requests_reach_the_right_specialist(client, support, request_text, expected):
    response = client.beta.conversations.start(agent_id=support["front-desk"], inputs=request_text)
    handoff, answer = response.outputs
    assert isinstance(handoff, AgentHandoffEntry)
    assert (handoff.next_agent_name, handoff.next_agent_id) == (expected, support[expected])
    assert isinstance(answer, MessageOutputEntry) and answer.agent_id == support[expected]
    assert expected in answer.content


def test_refund_request_reaches_the_refund_function_with_filled_arguments(client, support):
    response = client.beta.conversations.start(
        agent_id=support["front-desk"],
        inputs="I want refunds for order B-7781, it arrived damaged, 49.90 euros",
    )
    handoff, call = response.outputs
    assert handoff.next_agent_name == "refunds-desk"
    assert isinstance(call, FunctionCallEntry) and call.name == "issue_refund"
    assert json.loads(call.arguments) == {"order_id": "B-7781", "amount": 49.9, "reason": "damaged"}


def test_a_greeting_stays_with_the_entry_agent(client, support):
    response = client.beta.conversations.start(
        agent_id=support["front-desk"], inputs="Hello! What are your opening hours?"
    )
    (answer,) = response.outputs
    assert isinstance(answer, MessageOutputEntry)
    assert answer.agent_id == support["front-desk"] and "front-desk" in answer.content
