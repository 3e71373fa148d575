"""User-scoped reads. Every lookup of an object named by user input goes through here.

A user who is not a member of the object's workspace gets `Http404` — the object might as well not
exist — while a member without the needed role gets `PermissionDenied` (403).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from agents import validation
from agents.models import (
    Agent,
    AgentVersion,
    Graph,
    HandoffEdge,
    Invitation,
    Membership,
    Workspace,
)
from agents.roles import Role, role_at_least

User: TypeAlias = AbstractBaseUser | AnonymousUser


def _parse_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise Http404("Not found.") from exc


def _role_subquery(user: User, workspace_ref: str) -> Subquery:
    return Subquery(
        Membership.objects.filter(workspace=OuterRef(workspace_ref), user=user).values("role")[:1]
    )


def _check_role(role: str | None, min_role: str) -> None:
    if role is None:
        raise Http404("Not found.")
    if not role_at_least(role, min_role):
        raise PermissionDenied(f"This needs the {Role(min_role).label.lower()} role or higher.")


def _authenticated(user: User) -> bool:
    return bool(user and user.is_authenticated)


def workspaces_for_user(user: User) -> QuerySet[Workspace]:
    """The user's workspaces, each annotated with `user_role`."""
    if not _authenticated(user):
        return Workspace.objects.none()
    return Workspace.objects.annotate(user_role=_role_subquery(user, "pk")).filter(
        user_role__isnull=False
    )


def workspace_get_for_user(user: User, workspace_id: Any, min_role: str = Role.VIEWER) -> Workspace:
    workspace = workspaces_for_user(user).filter(pk=_parse_uuid(workspace_id)).first()
    _check_role(workspace.user_role if workspace else None, min_role)
    return workspace


def memberships_for_workspace(workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def membership_get_for_user(
    user: User, workspace_id: Any, membership_id: Any, min_role: str = Role.VIEWER
) -> Membership:
    workspace = workspace_get_for_user(user, workspace_id, min_role)
    membership = memberships_for_workspace(workspace).filter(pk=_parse_uuid(membership_id)).first()
    if membership is None:
        raise Http404("Not found.")
    return membership


def invitations_for_invitee(user: User) -> QuerySet[Invitation]:
    """Invitations addressed to the user's username (exactly, as Django compares usernames) or
    email address (in any case), whatever their status; an account registered after the
    invitation was made finds it too."""
    if not _authenticated(user):
        return Invitation.objects.none()
    addressed = Q(invitee=user.get_username())
    if getattr(user, "email", ""):
        addressed |= Q(invitee__iexact=user.email)
    return Invitation.objects.filter(addressed).select_related("workspace", "invited_by")


def pending_invitations_for_invitee(user: User) -> QuerySet[Invitation]:
    return invitations_for_invitee(user).filter(
        status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    )


def invitation_get_for_invitee(user: User, invitation_id: Any) -> Invitation:
    """Only the addressee may see or answer an invitation: a 404 for everyone else, the
    workspace's admins included (they manage it through the workspace's list)."""
    invitation = invitations_for_invitee(user).filter(pk=_parse_uuid(invitation_id)).first()
    if invitation is None:
        raise Http404("Not found.")
    return invitation


def invitations_of_workspace(workspace: Workspace) -> QuerySet[Invitation]:
    """The workspace's open invitations, for its admins."""
    return Invitation.objects.filter(
        workspace=workspace, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).select_related("workspace", "invited_by")


def invitation_get_for_admin(user: User, workspace_id: Any, invitation_id: Any) -> Invitation:
    workspace = workspace_get_for_user(user, workspace_id, Role.ADMIN)
    invitation = (
        Invitation.objects.filter(workspace=workspace, pk=_parse_uuid(invitation_id))
        .select_related("workspace", "invited_by")
        .first()
    )
    if invitation is None:
        raise Http404("Not found.")
    return invitation


def graphs_for_user(user: User) -> QuerySet[Graph]:
    """Graphs in the user's workspaces, each annotated with the user's `user_role`."""
    if not _authenticated(user):
        return Graph.objects.none()
    return (
        Graph.objects.annotate(user_role=_role_subquery(user, "workspace"))
        .filter(user_role__isnull=False)
        .select_related("workspace", "entry_agent")
    )


def graph_get_for_user(user: User, graph_id: Any, min_role: str = Role.VIEWER) -> Graph:
    graph = graphs_for_user(user).filter(pk=_parse_uuid(graph_id)).first()
    _check_role(graph.user_role if graph else None, min_role)
    return graph


def _with_handoffs(queryset: QuerySet[Agent]) -> QuerySet[Agent]:
    # One query for all outgoing edges instead of one per agent when serializing `handoffs`.
    return queryset.prefetch_related(
        Prefetch("outgoing_edges", queryset=HandoffEdge.objects.select_related("target"))
    )


def agents_for_user(user: User) -> QuerySet[Agent]:
    """Agents in the user's workspaces, annotated with `user_role`, handoffs prefetched."""
    if not _authenticated(user):
        return Agent.objects.none()
    queryset = (
        Agent.objects.annotate(user_role=_role_subquery(user, "graph__workspace"))
        .filter(user_role__isnull=False)
        .select_related("graph", "graph__workspace")
    )
    return _with_handoffs(queryset)


def agent_get_for_user(user: User, agent_id: Any, min_role: str = Role.VIEWER) -> Agent:
    agent = agents_for_user(user).filter(pk=_parse_uuid(agent_id)).first()
    _check_role(agent.user_role if agent else None, min_role)
    return agent


def agents_of_graph(graph: Graph) -> QuerySet[Agent]:
    """Every agent of a graph with its handoffs, for validation, export and the editor."""
    return _with_handoffs(Agent.objects.filter(graph=graph).order_by("name"))


def agent_versions(agent: Agent) -> QuerySet[AgentVersion]:
    return AgentVersion.objects.filter(agent=agent).select_related("author").order_by("-number")


def agent_version_get(agent: Agent, number: Any) -> AgentVersion:
    try:
        number = int(number)
    except (TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc
    version = agent_versions(agent).filter(number=number).first()
    if version is None:
        raise Http404("Not found.")
    return version


def graph_validation(graph: Graph) -> dict[str, list[dict]]:
    """The `/validate/` report: per-agent configuration errors plus graph-level checks."""
    agents = list(agents_of_graph(graph))
    names = {agent.id: agent.name for agent in agents}
    nodes = [
        validation.GraphNode(
            id=str(agent.id),
            name=agent.name,
            description=agent.description,
            tools=agent.tools if isinstance(agent.tools, list) else [],
            handoffs=[names[e.target_id] for e in agent.outgoing_edges.all()],
            config_errors=validation.agent_config_errors(
                {field: getattr(agent, field) for field in validation.AGENT_CONFIG_FIELDS}
            ),
        )
        for agent in agents
    ]
    return validation.graph_report(nodes, names.get(graph.entry_agent_id))
