"""The portable document: export → import → export is exact; a bad document creates nothing."""

from __future__ import annotations

import copy

import pytest

from agents.models import Agent, Graph
from agents.tests.conftest import World, db_state


def export(world: World, graph_id) -> dict:
    response = world.client("viewer").get(f"/api/graphs/{graph_id}/export/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_round_trip_is_exact_field_by_field(world: World):
    client = world.client("editor")
    client.patch(
        f"/api/agents/{world.billing.id}/",
        {
            "position_x": 310.25,
            "position_y": -42,
            "tools": [{"type": "document_library", "library_ids": ["lib_billing"]}],
            "completion_args": {"max_tokens": 300, "stop": "END"},
            "handoffs": [str(world.triage.id)],
        },
        format="json",
    )
    original = export(world, world.graph.id)

    response = client.post(
        "/api/graphs/import/",
        {"workspace": str(world.workspace.id), "document": original},
        format="json",
    )
    assert response.status_code == 201, response.content
    imported_id = response.json()["id"]
    assert imported_id != str(world.graph.id)
    again = export(world, imported_id)

    for key in ("format", "version", "name", "description", "entry_agent"):
        assert again[key] == original[key], key
    assert [a["name"] for a in again["agents"]] == [a["name"] for a in original["agents"]]
    for before, after in zip(original["agents"], again["agents"], strict=True):
        assert set(after) == set(before)
        for key in before:
            assert after[key] == before[key], (before["name"], key)
    assert again == original

    # And the document described what the source graph really holds.
    assert original["entry_agent"] == "triage"
    billing = next(a for a in original["agents"] if a["name"] == "billing")
    assert billing["position"] == {"x": 310.25, "y": -42}
    assert billing["handoffs"] == ["triage"]
    imported_billing = Agent.objects.get(graph_id=imported_id, name="billing")
    assert [e.target.name for e in imported_billing.outgoing_edges.all()] == ["triage"]
    assert imported_billing.versions.get().author == world.users["editor"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (
            lambda d: d["agents"][1]["tools"].append({"type": "teleport"}),
            "document.agents[1].tools[1].type",
        ),
        (lambda d: d["agents"][0].update(handoffs=["nobody"]), "document.agents[0].handoffs"),
        (lambda d: d["agents"][0].update(handoffs=["billing"]), "document.agents[0].handoffs"),
        (lambda d: d["agents"][1].update(name="billing"), "document.agents[1].name"),
        (lambda d: d.update(entry_agent="ghost"), "document.entry_agent"),
        (lambda d: d.update(name=""), "document.name"),
        (lambda d: d.update(agents="many"), "document.agents"),
        (lambda d: d["agents"][0].update(position={"x": "left"}), "document.agents[0].position.x"),
        (
            lambda d: d["agents"][0].update(completion_args={"temperature": 9}),
            "document.agents[0].completion_args.temperature",
        ),
        (lambda d: d.update(format="something-else"), "document.format"),
    ],
    ids=[
        "tool",
        "unknown-target",
        "self-handoff",
        "duplicate-name",
        "entry",
        "name",
        "agents",
        "position",
        "completion-args",
        "format",
    ],
)
def test_bad_document_is_400_at_its_path_and_creates_nothing(world: World, mutate, path):
    document = copy.deepcopy(export(world, world.graph.id))
    # Validation runs before any row is written, so no case may leave a half-made graph.
    mutate(document)
    before = db_state()

    response = world.client("editor").post(
        "/api/graphs/import/",
        {"workspace": str(world.workspace.id), "document": document},
        format="json",
    )

    assert response.status_code == 400
    assert path in response.json(), response.json()
    assert db_state() == before


@pytest.mark.django_db
def test_import_into_a_foreign_workspace_is_404(world: World):
    document = export(world, world.graph.id)
    response = world.client("editor").post(
        "/api/graphs/import/",
        {"workspace": str(world.other_workspace.id), "document": document},
        format="json",
    )
    assert response.status_code == 404
    assert not Graph.objects.filter(workspace=world.other_workspace, name="Helpdesk").exists()
