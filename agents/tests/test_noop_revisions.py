"""A save or restore that changes nothing leaves the graph's revision, versions and audit alone;
a real change still moves the revision by exactly one."""

from __future__ import annotations

import pytest

from agents.models import AgentVersion, Graph
from agents.tests.conftest import World
from audit.models import AuditEntry


def _revision(world: World) -> int:
    return Graph.objects.values_list("revision", flat=True).get(pk=world.graph.pk)


def _counts(world: World) -> tuple[int, int, int]:
    return (_revision(world), AgentVersion.objects.count(), AuditEntry.objects.count())


@pytest.mark.django_db
def test_patching_an_agent_with_its_own_fields_changes_nothing(world: World):
    client = world.client("editor")
    url = f"/api/agents/{world.triage.id}/"
    current = client.get(url).json()
    body = {
        field: current[field]
        for field in (
            "name",
            "description",
            "instructions",
            "model",
            "tools",
            "completion_args",
            "handoffs",
            "position_x",
            "position_y",
        )
    }
    before = _counts(world)

    response = client.patch(url, {**body, "revision": current["revision"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["revision"] == current["revision"]
    assert _counts(world) == before
    # A second editor holding the same revision is not told of a conflict.
    other = world.client("admin").patch(
        f"/api/agents/{world.billing.id}/",
        {"instructions": "Theirs.", "revision": current["revision"]},
        format="json",
    )
    assert other.status_code == 200, other.content
    assert other.json()["revision"] == current["revision"] + 1


@pytest.mark.django_db
def test_setting_the_same_handoffs_or_graph_fields_changes_nothing(world: World):
    client = world.client("editor")
    before = _counts(world)

    handoffs = client.patch(
        f"/api/agents/{world.triage.id}/", {"handoffs": [str(world.billing.id)]}, format="json"
    )
    graph = client.patch(
        f"/api/graphs/{world.graph.id}/",
        {"name": "Helpdesk", "description": "", "entry_agent": str(world.triage.id)},
        format="json",
    )

    assert handoffs.status_code == 200 and graph.status_code == 200
    assert graph.json()["revision"] == before[0]
    assert _counts(world) == before
    changed = client.patch(f"/api/graphs/{world.graph.id}/", {"description": "new"}, format="json")
    assert changed.json()["revision"] == before[0] + 1


@pytest.mark.django_db
def test_restoring_the_current_version_changes_nothing(world: World):
    client = world.client("editor")
    url = f"/api/agents/{world.triage.id}/"
    client.patch(url, {"instructions": "v2"}, format="json")
    latest = AgentVersion.objects.filter(agent=world.triage).order_by("-number").first()
    before = _counts(world)

    response = client.post(f"{url}versions/{latest.number}/restore/", {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["revision"] == before[0]
    assert response.json()["instructions"] == "v2"
    assert _counts(world) == before
    # Restoring an older version is a real change: one revision, one version, one audit row.
    older = client.post(f"{url}versions/1/restore/", {}, format="json")
    assert older.json()["revision"] == before[0] + 1
    assert older.json()["instructions"] == ""
    assert _counts(world) == (before[0] + 1, before[1] + 1, before[2] + 1)
