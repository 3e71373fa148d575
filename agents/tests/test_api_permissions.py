"""Every endpoint × every role: exactly what the role allows, 403 for members without the role,
404 for outsiders, and the database changes only when the call succeeds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from agents import portable
from agents.models import Agent, Graph
from agents.tests.conftest import ROLES, World, db_state
from workspaces.models import Membership
from workspaces.roles import Role


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    min_role: Role
    success: int
    body: Callable[[World], Any] | None = None

    @property
    def writes(self) -> bool:
        return self.method != "get"


def ws(w: World) -> str:
    return f"/api/workspaces/{w.workspace.id}/"


def member(w: World) -> str:
    membership = Membership.objects.get(workspace=w.workspace, user=w.users["viewer"])
    return f"{ws(w)}members/{membership.id}/"


def graph(w: World) -> str:
    return f"/api/graphs/{w.graph.id}/"


def agent(w: World) -> str:
    return f"/api/agents/{w.billing.id}/"


def open_invitation(w: World) -> str:
    from workspaces import services

    invitation = services.invitation_create(
        actor=w.users["admin"], workspace=w.workspace, invitee="newbie", role=Role.VIEWER
    )
    return f"{ws(w)}invitations/{invitation.id}/revoke/"


CASES = [
    Case("workspace detail", "get", ws, Role.VIEWER, 200),
    Case("workspace rename", "patch", ws, Role.ADMIN, 200, lambda w: {"name": "Renamed"}),
    Case("workspace delete", "delete", ws, Role.ADMIN, 204),
    Case("member list", "get", lambda w: f"{ws(w)}members/", Role.VIEWER, 200),
    Case("invitation list", "get", lambda w: f"{ws(w)}invitations/", Role.ADMIN, 200),
    Case(
        "invite",
        "post",
        lambda w: f"{ws(w)}invitations/",
        Role.ADMIN,
        202,
        lambda w: {"invitee": "newbie", "role": "viewer"},
    ),
    Case("invitation revoke", "post", open_invitation, Role.ADMIN, 200, lambda w: {}),
    Case("member detail", "get", member, Role.VIEWER, 200),
    Case("member change", "patch", member, Role.ADMIN, 200, lambda w: {"role": "operator"}),
    Case("member remove", "delete", member, Role.ADMIN, 204),
    Case(
        "graph list filtered",
        "get",
        lambda w: f"/api/graphs/?workspace={w.workspace.id}",
        Role.VIEWER,
        200,
    ),
    Case(
        "graph create",
        "post",
        lambda w: "/api/graphs/",
        Role.EDITOR,
        201,
        lambda w: {"workspace": str(w.workspace.id), "name": "Second"},
    ),
    Case("graph detail", "get", graph, Role.VIEWER, 200),
    Case("graph update", "patch", graph, Role.EDITOR, 200, lambda w: {"name": "Renamed"}),
    Case("graph delete", "delete", graph, Role.EDITOR, 204),
    Case("graph validate", "get", lambda w: f"{graph(w)}validate/", Role.VIEWER, 200),
    Case("graph export", "get", lambda w: f"{graph(w)}export/", Role.VIEWER, 200),
    Case(
        "graph import",
        "post",
        lambda w: "/api/graphs/import/",
        Role.EDITOR,
        201,
        lambda w: {"workspace": str(w.workspace.id), "document": portable.graph_export(w.graph)},
    ),
    Case(
        "agent list filtered", "get", lambda w: f"/api/agents/?graph={w.graph.id}", Role.VIEWER, 200
    ),
    Case(
        "agent create",
        "post",
        lambda w: "/api/agents/",
        Role.EDITOR,
        201,
        lambda w: {"graph": str(w.graph.id), "name": "sales"},
    ),
    Case("agent detail", "get", agent, Role.VIEWER, 200),
    Case("agent update", "patch", agent, Role.EDITOR, 200, lambda w: {"instructions": "New."}),
    Case("agent delete", "delete", agent, Role.EDITOR, 204),
    Case("agent versions", "get", lambda w: f"{agent(w)}versions/", Role.VIEWER, 200),
    Case(
        "agent restore",
        "post",
        lambda w: f"{agent(w)}versions/1/restore/",
        Role.EDITOR,
        200,
        lambda w: {},
    ),
]


def expected_status(case: Case, role: str) -> int:
    if role == "outsider":
        return 404
    return case.success if Role.rank(role) >= Role.rank(case.min_role) else 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_endpoint_does_exactly_what_the_role_allows(world: World, case: Case, role: str):
    if case.name == "agent restore":
        # Give version 1 something to restore, so success is a visible change.
        world.client("editor").patch(agent(world), {"instructions": "Changed."}, format="json")
    url = case.url(world)
    body = case.body(world) if case.body else None
    before = db_state()

    response = getattr(world.client(role), case.method)(url, body, format="json")

    want = expected_status(case, role)
    assert response.status_code == want, response.content
    changed = db_state() != before
    assert changed == (case.writes and want == case.success), "DB change must match success"
    if want == 404:
        assert str(world.workspace.id) not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_lists_show_only_the_users_workspaces(world: World, role: str):
    client = world.client(role)
    workspaces = {w["id"] for w in client.get("/api/workspaces/").json()["results"]}
    graphs = {g["id"] for g in client.get("/api/graphs/").json()["results"]}
    agents = {a["id"] for a in client.get("/api/agents/").json()["results"]}

    ours = role != "outsider"
    assert (str(world.workspace.id) in workspaces) is ours
    assert (str(world.graph.id) in graphs) is ours
    assert ({str(world.triage.id), str(world.billing.id)} <= agents) is ours
    assert (str(world.other_agent.id) in agents) is (role == "outsider")
    if ours:
        roles = {w["id"]: w["role"] for w in client.get("/api/workspaces/").json()["results"]}
        assert roles[str(world.workspace.id)] == role


@pytest.mark.django_db
def test_outsider_filters_on_foreign_parent_get_404(world: World):
    client = world.client("outsider")
    assert client.get(f"/api/agents/?graph={world.graph.id}").status_code == 404
    assert client.get(f"/api/graphs/?workspace={world.workspace.id}").status_code == 404
    assert client.get("/api/graphs/?workspace=not-a-uuid").status_code == 404


@pytest.mark.django_db
def test_malformed_and_unknown_ids_are_404(world: World):
    client = world.client("admin")
    for url in (
        "/api/graphs/not-a-uuid/",
        "/api/agents/123/",
        "/api/graphs/00000000-0000-0000-0000-000000000000/",
        f"/api/agents/{world.billing.id}/versions/abc/restore/",
        f"/api/agents/{world.billing.id}/versions/99/restore/",
    ):
        method = client.post if url.endswith("restore/") else client.get
        assert method(url, {}, format="json").status_code == 404, url


@pytest.mark.django_db
def test_any_signed_in_user_creates_a_workspace_and_becomes_its_admin(world: World):
    response = world.client("outsider").post("/api/workspaces/", {"name": "Mine"}, format="json")

    assert response.status_code == 201
    assert response.json()["role"] == "admin"
    assert Membership.objects.get(workspace_id=response.json()["id"]).role == Role.ADMIN


@pytest.mark.django_db
def test_anonymous_requests_are_refused(world: World):
    client = APIClient()
    for response in (
        client.get("/api/graphs/"),
        client.post("/api/workspaces/", {"name": "x"}, format="json"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert Graph.objects.count() == 2


@pytest.mark.django_db
def test_session_auth_requires_csrf(world: World):
    client = APIClient(enforce_csrf_checks=True)
    client.get("/login/")  # the login page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    # The sign-in lockout needs the request of a sign-in; the test client's login() has none.
    client.force_login(get_user_model().objects.get(username="editor"))
    body = {"graph": str(world.graph.id), "name": "sales"}

    refused = client.post("/api/agents/", body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Agent.objects.filter(name="sales").exists()

    accepted = client.post("/api/agents/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    assert Agent.objects.filter(name="sales", graph=world.graph).exists()


@pytest.mark.django_db
def test_last_admin_cannot_leave_or_be_demoted(world: World):
    admin_membership = Membership.objects.get(workspace=world.workspace, user=world.users["admin"])
    url = f"/api/workspaces/{world.workspace.id}/members/{admin_membership.id}/"
    client = world.client("admin")

    assert client.patch(url, {"role": "editor"}, format="json").status_code == 400
    response = client.delete(url)
    assert response.status_code == 400
    assert "role" in response.json()
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN


@pytest.mark.django_db
def test_members_are_not_added_directly_any_more(world: World):
    """Adding a member is an invitation the invitee accepts (see test_invitations.py)."""
    client = world.client("admin")
    url = f"/api/workspaces/{world.workspace.id}/members/"
    before = db_state()

    response = client.post(url, {"user": "outsider", "role": "admin"}, format="json")

    assert response.status_code == 405
    assert db_state() == before
