"""The admin lists and searches everything, keeps history read-only, and validates like the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents.models import Agent, AgentVersion, HandoffEdge
from agents.tests.conftest import World, db_state
from workspaces.models import Membership
from workspaces.roles import Role

MODELS = [
    "workspaces.workspace",
    "workspaces.membership",
    "agents.graph",
    "agents.agent",
    "agents.handoffedge",
    "agents.agentversion",
]


@pytest.fixture
def staff(client, make_user):
    user = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_changelists_list_filter_and_search(world: World, staff, model: str):
    url = reverse(f"admin:{model.replace('.', '_')}_changelist")

    listing = staff.get(url)
    searched = staff.get(url, {"q": "triage"})

    assert listing.status_code == 200
    assert searched.status_code == 200
    assert listing.context["cl"].list_filter, "every model has filters"
    assert listing.context["cl"].result_count > 0


@pytest.mark.django_db
def test_version_history_and_edges_are_read_only(world: World, staff):
    version = AgentVersion.objects.filter(agent=world.triage).first()
    edge = HandoffEdge.objects.get(source=world.triage)
    before = db_state()

    page = staff.get(reverse("admin:agents_agentversion_change", args=[version.pk]))
    assert page.status_code == 200
    assert b"lookup_order" in page.content  # the snapshot is readable
    assert b'name="_save"' not in page.content
    post = staff.post(reverse("admin:agents_agentversion_change", args=[version.pk]), {"number": 9})
    assert post.status_code == 403
    assert staff.get(reverse("admin:agents_agentversion_add")).status_code == 403
    assert (
        staff.post(
            reverse("admin:agents_agentversion_delete", args=[version.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        staff.post(
            reverse("admin:agents_handoffedge_delete", args=[edge.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert db_state() == before


@pytest.mark.django_db
def test_memberships_are_readable_on_the_workspace_page(world: World, staff):
    page = staff.get(reverse("admin:workspaces_workspace_change", args=[world.workspace.pk]))
    assert page.status_code == 200
    for username in ("admin", "editor", "operator", "viewer"):
        assert username.encode() in page.content


def agent_form(world: World, **overrides) -> dict:
    agent = world.triage
    data = {
        "name": agent.name,
        "description": agent.description,
        "instructions": agent.instructions,
        "model": agent.model,
        "tools": '[{"type": "web_search"}]',
        "completion_args": '{"temperature": 0.2}',
        "position_x": "10",
        "position_y": "20",
        "handoffs": [str(world.billing.pk)],
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_edit_goes_through_validation_and_records_a_version(world: World, staff):
    url = reverse("admin:agents_agent_change", args=[world.triage.pk])
    before = db_state()

    bad = staff.post(url, agent_form(world, tools='[{"type": "teleport"}]'))
    assert bad.status_code == 200  # the form again, with the error
    assert "tools[0].type" in str(bad.context["adminform"].form.errors["tools"])
    assert db_state() == before

    good = staff.post(url, agent_form(world))
    assert good.status_code == 302, good.context["adminform"].form.errors if good.context else ""
    world.triage.refresh_from_db()
    assert world.triage.tools == [{"type": "web_search"}]
    latest = AgentVersion.objects.filter(agent=world.triage).order_by("-number").first()
    assert latest.number == 2
    assert latest.author.username == "root"


@pytest.mark.django_db
def test_admin_add_agent_and_membership_use_the_services(world: World, staff, make_user):
    response = staff.post(
        reverse("admin:agents_agent_add"),
        {
            "graph": str(world.graph.pk),
            "name": "sales",
            "description": "",
            "instructions": "",
            "model": "mistral-small-latest",
            "tools": "[]",
            "completion_args": "{}",
            "position_x": "0",
            "position_y": "0",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    sales = Agent.objects.get(graph=world.graph, name="sales")
    assert sales.versions.count() == 1

    duplicate = staff.post(
        reverse("admin:workspaces_membership_add"),
        {"workspace": str(world.workspace.pk), "user": world.users["viewer"].pk, "role": "admin"},
    )
    assert duplicate.status_code == 200
    assert Membership.objects.get(user=world.users["viewer"], workspace=world.workspace).role == (
        Role.VIEWER
    )


@pytest.mark.django_db
def test_every_change_and_add_page_renders(world: World, staff):
    from django.apps import apps

    for label in MODELS:
        model = apps.get_model(label)
        obj = model.objects.first()
        prefix = label.replace(".", "_")
        change = staff.get(reverse(f"admin:{prefix}_change", args=[obj.pk]))
        assert change.status_code == 200, label
        add = staff.get(reverse(f"admin:{prefix}_add"))
        assert add.status_code == (
            403 if model._meta.model_name in ("handoffedge", "agentversion") else 200
        )


@pytest.mark.django_db
def test_admin_graph_edit_sets_entry_agent_through_the_service(world: World, staff):
    url = reverse("admin:agents_graph_change", args=[world.graph.pk])
    revision = world.graph.revision

    response = staff.post(
        url,
        {
            "name": "Helpdesk 2",
            "description": "",
            "entry_agent": str(world.billing.pk),
            "agents-TOTAL_FORMS": "0",
            "agents-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    world.graph.refresh_from_db()
    assert (world.graph.name, world.graph.entry_agent_id) == ("Helpdesk 2", world.billing.pk)
    assert world.graph.revision == revision + 1
