"""Agent version history, restore, and the graph revision used for optimistic concurrency."""

from __future__ import annotations

import pytest

from agents import services
from agents.exceptions import RevisionConflict
from agents.models import AgentVersion, Graph
from agents.tests.conftest import World, db_state


def versions(world: World, agent) -> list[dict]:
    response = world.client("viewer").get(f"/api/agents/{agent.id}/versions/")
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.django_db
def test_each_configuration_change_is_a_numbered_version_with_its_author(world: World):
    client = world.client("editor")
    client.patch(f"/api/agents/{world.billing.id}/", {"instructions": "v2"}, format="json")
    client.patch(
        f"/api/agents/{world.billing.id}/",
        {"model": "mistral-large-latest", "handoffs": [str(world.triage.id)]},
        format="json",
    )

    history = versions(world, world.billing)

    assert [v["number"] for v in history] == [3, 2, 1]
    assert history[0]["author"] == "editor"
    assert history[0]["changed_fields"] == ["model", "handoffs"]
    assert history[0]["snapshot"]["handoffs"] == [str(world.triage.id)]
    assert history[0]["snapshot"]["handoff_names"] == ["triage"]
    assert history[1]["changed_fields"] == ["instructions"]
    assert history[1]["snapshot"]["instructions"] == "v2"
    assert history[2]["snapshot"]["instructions"] == "Explain charges."


@pytest.mark.django_db
def test_moving_a_node_or_a_no_op_save_adds_no_version(world: World):
    client = world.client("editor")
    client.patch(f"/api/agents/{world.billing.id}/", {"position_x": 120.5}, format="json")
    client.patch(f"/api/agents/{world.billing.id}/", {"name": "billing"}, format="json")

    assert [v["number"] for v in versions(world, world.billing)] == [1]


@pytest.mark.django_db
def test_restore_brings_back_an_old_configuration_as_a_new_version(world: World):
    client = world.client("editor")
    url = f"/api/agents/{world.triage.id}/"
    client.patch(url, {"instructions": "new", "tools": [], "handoffs": []}, format="json")

    response = client.post(f"{url}versions/1/restore/", {}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tools"][0]["function"]["name"] == "lookup_order"
    assert body["handoffs"] == [str(world.billing.id)]
    assert body["instructions"] == ""
    history = versions(world, world.triage)
    assert [v["number"] for v in history] == [3, 2, 1]
    assert history[0]["snapshot"] == {**history[2]["snapshot"]}


@pytest.mark.django_db
def test_restore_drops_handoffs_to_deleted_agents(world: World):
    client = world.client("editor")
    client.patch(f"/api/agents/{world.triage.id}/", {"instructions": "x"}, format="json")
    client.delete(f"/api/agents/{world.billing.id}/")

    response = client.post(f"/api/agents/{world.triage.id}/versions/1/restore/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["handoffs"] == []


@pytest.mark.django_db
def test_deleting_a_target_records_a_version_for_the_agents_that_handed_off_to_it(world: World):
    world.client("editor").delete(f"/api/agents/{world.billing.id}/")

    latest = AgentVersion.objects.filter(agent=world.triage).order_by("-number").first()
    assert latest.number == 2
    assert latest.changed_fields == ["handoffs"]
    assert latest.snapshot["handoffs"] == []
    world.graph.refresh_from_db()
    assert world.graph.entry_agent_id == world.triage.id


@pytest.mark.django_db
def test_versions_are_read_only_over_the_api(world: World):
    url = f"/api/agents/{world.billing.id}/versions/"
    client = world.client("admin")
    assert client.post(url, {"number": 9}, format="json").status_code == 405
    assert client.delete(url).status_code == 405


@pytest.mark.django_db
def test_every_change_bumps_the_graph_revision(world: World):
    client = world.client("editor")
    start = Graph.objects.get(pk=world.graph.pk).revision

    agent = client.patch(f"/api/agents/{world.billing.id}/", {"position_y": 5}, format="json")
    graph = client.patch(f"/api/graphs/{world.graph.id}/", {"description": "d"}, format="json")

    assert agent.json()["revision"] == start + 1
    assert graph.json()["revision"] == start + 2


@pytest.mark.django_db
def test_stale_revision_is_409_and_changes_nothing(world: World):
    client = world.client("editor")
    current = client.get(f"/api/graphs/{world.graph.id}/").json()["revision"]
    client.patch(f"/api/agents/{world.billing.id}/", {"position_x": 1}, format="json")
    before = db_state()

    stale_agent = client.patch(
        f"/api/agents/{world.triage.id}/",
        {"instructions": "mine", "revision": current},
        format="json",
    )
    stale_graph = client.patch(
        f"/api/graphs/{world.graph.id}/", {"name": "mine", "revision": current}, format="json"
    )
    stale_delete = client.delete(f"/api/agents/{world.triage.id}/?revision={current}")
    stale_create = client.post(
        "/api/agents/",
        {"graph": str(world.graph.id), "name": "x", "revision": current},
        format="json",
    )

    for response in (stale_agent, stale_graph, stale_delete, stale_create):
        assert response.status_code == 409, response.content
        assert response.json()["current_revision"] == current + 1
    assert db_state() == before

    fresh = client.patch(
        f"/api/agents/{world.triage.id}/",
        {"instructions": "mine", "revision": current + 1},
        format="json",
    )
    assert fresh.status_code == 200
    assert fresh.json()["revision"] == current + 2


@pytest.mark.django_db
def test_service_refuses_a_stale_revision(world: World):
    with pytest.raises(RevisionConflict):
        services.handoffs_set(
            actor=world.users["editor"],
            agent=world.billing,
            target_ids=[world.triage.id],
            expected_revision=0,
        )
    assert not world.billing.outgoing_edges.exists()


@pytest.mark.django_db
def test_handoffs_set_replaces_the_edges_and_records_a_version(world: World):
    sales = services.agent_create(actor=world.users["editor"], graph=world.graph, name="sales")

    services.handoffs_set(
        actor=world.users["admin"], agent=world.triage, target_ids=[str(sales.id)]
    )

    assert world.triage.handoff_ids == [sales.id]
    latest = AgentVersion.objects.filter(agent=world.triage).order_by("-number").first()
    assert (latest.number, latest.author, latest.changed_fields) == (
        2,
        world.users["admin"],
        ["handoffs"],
    )
    assert latest.snapshot["handoff_names"] == ["sales"]
