"""`manage.py load_demo` builds the seeds' graphs exactly, once."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from agents import selectors
from agents.demo import DEMO_GRAPHS
from agents.models import Agent, Graph
from workspaces.models import Membership, Workspace
from workspaces.roles import Role


def structure(graph: Graph) -> dict[str, dict]:
    return {
        agent.name: {
            "tools": [t.get("function", {}).get("name") or t["type"] for t in agent.tools],
            "handoffs": sorted(e.target.name for e in agent.outgoing_edges.all()),
        }
        for agent in Agent.objects.filter(graph=graph).prefetch_related("outgoing_edges__target")
    }


@pytest.mark.django_db
def test_load_demo_creates_the_two_seed_graphs(make_user):
    owner = make_user("localadmin")

    call_command("load_demo", "--owner", "localadmin")

    workspace = Workspace.objects.get(name="Demo")
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.ADMIN
    finance = Graph.objects.get(workspace=workspace, name="Finance")
    assert finance.entry_agent.name == "finance-agent"
    assert structure(finance) == {
        "finance-agent": {"tools": [], "handoffs": ["ecb-interest-rate-agent", "websearch-agent"]},
        "websearch-agent": {
            "tools": ["web_search"],
            "handoffs": ["calculator-agent", "graph-drawing-agent"],
        },
        "ecb-interest-rate-agent": {
            "tools": ["get_european_central_bank_interest_rate"],
            "handoffs": ["calculator-agent", "graph-drawing-agent"],
        },
        "graph-drawing-agent": {"tools": ["code_interpreter"], "handoffs": []},
        "calculator-agent": {"tools": [], "handoffs": []},
    }
    calculator = Agent.objects.get(graph=finance, name="calculator-agent")
    response_format = calculator.completion_args["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "calc_result"
    assert response_format["json_schema"]["schema"]["required"] == ["reasoning", "result"]
    assert {a.model for a in Agent.objects.filter(graph=finance)} == {"mistral-large-latest"}

    support = Graph.objects.get(workspace=workspace, name="Customer support")
    assert support.entry_agent.name == "Customer Service"
    assert structure(support)["Customer Service"]["handoffs"] == [
        "Billing Support",
        "Sales",
        "Technical Support",
    ]
    assert structure(support)["Technical Support"]["tools"] == [
        "document_library",
        "code_interpreter",
    ]

    # Both are valid; the finance graph carries the warning the seed's websearch-agent earns.
    finance_report = selectors.graph_validation(finance)
    assert finance_report["errors"] == []
    assert {(w["agent_name"], w["code"]) for w in finance_report["warnings"]} == {
        ("websearch-agent", "web_search_with_handoffs")
    }
    assert selectors.graph_validation(support) == {"errors": [], "warnings": []}


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_graph_exists(make_user):
    make_user("localadmin")
    call_command("load_demo", "--owner", "localadmin", "--if-empty")
    call_command("load_demo", "--owner", "localadmin", "--if-empty")

    assert Workspace.objects.filter(name="Demo").count() == 1
    assert Graph.objects.count() == len(DEMO_GRAPHS)


@pytest.mark.django_db
def test_unknown_owner_is_an_error():
    with pytest.raises(CommandError):
        call_command("load_demo", "--owner", "nobody")
    assert not Workspace.objects.exists()


@pytest.mark.django_db
def test_load_demo_brings_the_orchestration_guides_patterns(make_user):
    make_user("localadmin")
    call_command("load_demo", "--owner", "localadmin")
    graph = Graph.objects.get(name="Orchestration patterns")
    assert sorted(graph.orchestrations.values_list("name", flat=True)) == [
        "Competitive strategy team",
        "Conditional router",
        "Manager-worker",
        "Market analysis fan-out",
        "Recursive decomposition",
        "Research with retries and a fallback",
        "Research → analysis → report",
    ]
