"""The user-scoped selectors of graphs and agents, built on the workspace ones."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from agents import selectors
from agents.models import HandoffEdge
from agents.tests.conftest import World
from workspaces.roles import Role
from workspaces.selectors import workspace_get_for_user, workspaces_for_user


@pytest.mark.django_db
def test_selectors_scope_every_lookup_to_the_users_workspaces(world: World):
    viewer, outsider = world.users["viewer"], world.users["outsider"]

    assert selectors.graph_get_for_user(viewer, world.graph.id) == world.graph
    assert selectors.agent_get_for_user(viewer, str(world.triage.id)).handoff_ids == [
        world.billing.id
    ]
    assert set(selectors.graphs_for_user(outsider)) == {world.other_graph}
    assert set(selectors.agents_for_user(outsider)) == {world.other_agent}
    assert set(workspaces_for_user(viewer)) == {world.workspace}

    for lookup, obj_id in (
        (workspace_get_for_user, world.workspace.id),
        (selectors.graph_get_for_user, world.graph.id),
        (selectors.agent_get_for_user, world.triage.id),
    ):
        with pytest.raises(Http404):
            lookup(outsider, obj_id)
        with pytest.raises(Http404):
            lookup(viewer, "not-a-uuid")
        with pytest.raises(Http404):
            lookup(viewer, uuid.uuid4())
        with pytest.raises(PermissionDenied):
            lookup(viewer, obj_id, min_role=Role.OPERATOR)
        assert lookup(world.users["operator"], obj_id, min_role=Role.OPERATOR).pk == obj_id


@pytest.mark.django_db
def test_database_refuses_self_and_duplicate_edges(world: World):
    with pytest.raises(IntegrityError), transaction.atomic():
        HandoffEdge.objects.create(source=world.triage, target=world.triage)
    with pytest.raises(IntegrityError), transaction.atomic():
        HandoffEdge.objects.create(source=world.triage, target=world.billing)
