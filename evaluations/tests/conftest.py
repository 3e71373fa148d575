"""A support graph for the suites: a router that hands billing questions to a billing agent,
which looks invoices up with a function only a person (or a suite's answer) can run."""

import pytest

from agents.services import agent_create, graph_create, graph_update
from conversations.tests.conftest import api_for, team  # noqa: F401 - fixtures

LOOKUP = {
    "type": "function",
    "function": {
        "name": "lookup_invoice",
        "description": "Look up an invoice by its number",
        "parameters": {
            "type": "object",
            "properties": {"invoice": {"type": "string"}},
            "required": ["invoice"],
        },
    },
}


@pytest.fixture
def support_graph(team):  # noqa: F811
    workspace, members = team
    admin = members["admin"]
    graph = graph_create(actor=admin, workspace=workspace, name="Support")
    billing = agent_create(
        actor=admin, graph=graph, name="billing", description="Billing, invoices and payments",
        tools=[LOOKUP],
    )  # fmt: skip
    router = agent_create(
        actor=admin, graph=graph, name="router", description="Routes customer questions",
        handoffs=[billing.pk],
    )  # fmt: skip
    return graph_update(actor=admin, graph=graph, entry_agent_id=router.pk)


def passing_and_failing_cases():
    return [
        {
            "name": "invoice goes to billing",
            "inputs": "Please look up invoice A-1234 in billing",
            "answers": {"lookup_invoice": "Invoice A-1234: paid in full"},
            "expect": {
                "path": ["router", "billing"],
                "path_match": "exact",
                "function_calls": [
                    {"name": "lookup_invoice", "arguments": {"invoice": {"regex": "invoice"}}}
                ],
                "output_contains": ["paid in full"],
            },
        },
        {
            "name": "greeting stays with billing",
            "inputs": "Hello there",
            "expect": {"path": ["billing"], "path_match": "ordered"},
        },
    ]
