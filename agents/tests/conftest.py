"""A small world for API tests: one workspace with a member of every role, and an outsider who
owns a workspace of their own. Data is made through the services, as the app makes it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework.test import APIClient

from agents import services
from agents.models import Agent, AgentVersion, Graph, HandoffEdge
from workspaces.models import Invitation, Membership, Workspace
from workspaces.roles import Role
from workspaces.services import membership_add, workspace_create

ROLES = ["admin", "editor", "operator", "viewer", "outsider"]

LOOKUP_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Find an order by its number.",
        "parameters": {
            "type": "object",
            "properties": {"order": {"type": "string"}},
            "required": ["order"],
        },
    },
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # `make test` exports DJANGO_SETTINGS_MODULE=...dev, which beats pytest.ini's test settings
    # and brings the slow production hasher; every fixture user would cost ~0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    users: dict[str, Any]
    workspace: Workspace
    graph: Graph
    triage: Agent
    billing: Agent
    other_workspace: Workspace
    other_graph: Graph
    other_agent: Agent
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
        return client


@pytest.fixture
def world(make_user, token_for) -> World:
    users = {role: make_user(role) for role in ROLES}
    workspace = workspace_create(actor=users["admin"], name="Support")
    for role in ("editor", "operator", "viewer"):
        membership_add(actor=users["admin"], workspace=workspace, user=users[role], role=Role(role))
    graph = services.graph_create(actor=users["admin"], workspace=workspace, name="Helpdesk")
    billing = services.agent_create(
        actor=users["editor"],
        graph=graph,
        name="billing",
        description="Answers questions about invoices.",
        instructions="Explain charges.",
    )
    triage = services.agent_create(
        actor=users["editor"],
        graph=graph,
        name="triage",
        description="First contact.",
        tools=[LOOKUP_TOOL],
        completion_args={"temperature": 0.3},
        handoffs=[billing.id],
    )
    services.graph_update(actor=users["editor"], graph=graph, entry_agent_id=triage.id)

    # The outsider is a member elsewhere: they have data, just none of ours.
    other_workspace = workspace_create(actor=users["outsider"], name="Elsewhere")
    other_graph = services.graph_create(
        actor=users["outsider"], workspace=other_workspace, name="Theirs"
    )
    other_agent = services.agent_create(actor=users["outsider"], graph=other_graph, name="theirs")
    return World(
        users=users,
        workspace=workspace,
        graph=Graph.objects.get(pk=graph.pk),
        triage=triage,
        billing=billing,
        other_workspace=other_workspace,
        other_graph=other_graph,
        other_agent=other_agent,
        tokens={role: token_for(user) for role, user in users.items()},
    )


def db_state() -> str:
    """Everything the agents app stores, as one comparable string (to prove 'nothing changed')."""
    rows = {
        "workspaces": list(Workspace.objects.order_by("id").values()),
        "memberships": list(Membership.objects.order_by("id").values()),
        "graphs": list(Graph.objects.order_by("id").values()),
        "agents": list(Agent.objects.order_by("id").values()),
        "edges": list(HandoffEdge.objects.order_by("id").values()),
        "versions": list(AgentVersion.objects.order_by("id").values()),
        "invitations": list(Invitation.objects.order_by("id").values()),
    }
    return json.dumps(rows, default=str, sort_keys=True)
