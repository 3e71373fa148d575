"""/api/graphs/{id}/validate/: errors that stop a graph, warnings about its routing."""

from __future__ import annotations

import pytest

from agents import services
from agents.models import Agent
from agents.tests.conftest import World


def report(world: World) -> dict:
    response = world.client("viewer").get(f"/api/graphs/{world.graph.id}/validate/")
    assert response.status_code == 200
    return response.json()


def codes(items: list[dict]) -> set[tuple[str | None, str]]:
    return {(item["agent_name"], item["code"]) for item in items}


@pytest.mark.django_db
def test_healthy_graph_has_no_errors_or_warnings(world: World):
    assert report(world) == {"errors": [], "warnings": []}


@pytest.mark.django_db
def test_missing_entry_agent_is_an_error(world: World):
    services.graph_update(actor=world.users["editor"], graph=world.graph, entry_agent_id=None)

    errors = report(world)["errors"]

    assert errors == [
        {
            "agent": None,
            "agent_name": None,
            "code": "no_entry_agent",
            "message": "The graph has no entry agent.",
        }
    ]


@pytest.mark.django_db
def test_an_invalid_agent_is_an_error_naming_it(world: World):
    # Rows written behind the services' back (an old version of the app, a manual fix) are
    # exactly what the report exists to catch.
    Agent.objects.filter(pk=world.billing.pk).update(tools=[{"type": "teleport"}])

    errors = report(world)["errors"]

    assert len(errors) == 1
    assert errors[0]["agent"] == str(world.billing.id)
    assert errors[0]["code"] == "invalid_agent"
    assert "tools[0].type" in errors[0]["message"]


@pytest.mark.django_db
def test_warnings_name_the_agent_they_concern(world: World):
    editor = world.users["editor"]
    lonely = services.agent_create(
        actor=editor, graph=world.graph, name="lonely", description="Nobody hands off to me."
    )
    services.agent_update(
        actor=editor,
        agent=world.billing,
        changes={
            "description": "",
            "tools": [
                {"type": "web_search"},
                {
                    "type": "function",
                    "function": {"name": "refund", "parameters": {"type": "object"}},
                },
            ],
        },
        handoffs=[world.triage.id],
    )

    warnings = report(world)["warnings"]

    assert codes(warnings) == {
        ("lonely", "unreachable"),
        ("billing", "handoff_cycle"),
        ("billing", "web_search_with_handoffs"),
        ("billing", "handoff_target_without_description"),
        ("billing", "function_without_description"),
    }
    by_code = {item["code"]: item for item in warnings}
    assert by_code["unreachable"]["agent"] == str(lonely.id)
    assert "billing, triage" in by_code["handoff_cycle"]["message"]
    assert "handoff orchestration" in by_code["web_search_with_handoffs"]["message"]
    assert report(world)["errors"] == []
