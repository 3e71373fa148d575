"""User-scoped reads of workspaces, memberships and invitations, and the access helpers every
other app's selectors build on (`role_subquery`, `check_role`, `parse_uuid`).

A user who is not a member of the object's workspace gets `Http404` — the object might as well not
exist — while a member without the needed role gets `PermissionDenied` (403).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from workspaces.models import Invitation, Membership, Workspace
from workspaces.roles import Role, role_at_least

User: TypeAlias = AbstractBaseUser | AnonymousUser


def parse_uuid(value: Any) -> uuid.UUID:
    """An id from user input; anything that is not a UUID is a 404 like any foreign object."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise Http404("Not found.") from exc


def role_subquery(user: User, workspace_ref: str) -> Subquery:
    """The user's role in the workspace that `workspace_ref` points to (NULL: not a member), for
    annotating any queryset of workspace-scoped objects with `user_role`."""
    return Subquery(
        Membership.objects.filter(workspace=OuterRef(workspace_ref), user=user).values("role")[:1]
    )


def one_or_none(queryset: QuerySet) -> Any:
    """The row of a queryset that has at most one (filtered by a unique key), or None. Not
    `.first()`: the ORDER BY it adds costs Django more to build than the query costs to run."""
    rows = list(queryset[:1])
    return rows[0] if rows else None


def role_in_workspace(user: User, workspace_id: Any) -> str | None:
    """The user's role in one workspace (None: not a member, or not signed in). For fetching one
    object: a plain query after it costs less than annotating it with `role_subquery`."""
    if not is_authenticated(user):
        return None
    roles = Membership.objects.filter(workspace_id=workspace_id, user=user).values_list("role")
    found = one_or_none(roles)
    return found[0] if found else None


def one_for_user(
    user: User, queryset: QuerySet, workspace_of: Callable[[Any], Any], min_role: str
) -> Any:
    """The one object of `queryset`, with the user's role in its workspace (`workspace_of(obj)`,
    the workspace's id) as `user_role`; 404 or 403 as `check_role` decides."""
    obj = one_or_none(queryset)
    role = role_in_workspace(user, workspace_of(obj)) if obj is not None else None
    check_role(role, min_role)
    obj.user_role = role
    return obj


def check_role(role: str | None, min_role: str) -> None:
    """No membership: 404 (the object might as well not exist); too low a role: 403."""
    if role is None:
        raise Http404("Not found.")
    if not role_at_least(role, min_role):
        raise PermissionDenied(f"This needs the {Role(min_role).label.lower()} role or higher.")


def is_authenticated(user: User) -> bool:
    """Anonymous users (and none at all) see nothing."""
    return bool(user and user.is_authenticated)


def workspaces_for_user(user: User) -> QuerySet[Workspace]:
    """The user's workspaces, each annotated with `user_role`."""
    if not is_authenticated(user):
        return Workspace.objects.none()
    return Workspace.objects.annotate(user_role=role_subquery(user, "pk")).filter(
        user_role__isnull=False
    )


def workspace_get_for_user(user: User, workspace_id: Any, min_role: str = Role.VIEWER) -> Workspace:
    workspace = workspaces_for_user(user).filter(pk=parse_uuid(workspace_id)).first()
    check_role(workspace.user_role if workspace else None, min_role)
    return workspace


def memberships_for_workspace(workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user")


def membership_get_for_user(
    user: User, workspace_id: Any, membership_id: Any, min_role: str = Role.VIEWER
) -> Membership:
    workspace = workspace_get_for_user(user, workspace_id, min_role)
    membership = memberships_for_workspace(workspace).filter(pk=parse_uuid(membership_id)).first()
    if membership is None:
        raise Http404("Not found.")
    return membership


def invitations_for_invitee(user: User) -> QuerySet[Invitation]:
    """Invitations addressed to the user's username (exactly, as Django compares usernames) or
    email address (in any case), whatever their status; an account registered after the
    invitation was made finds it too."""
    if not is_authenticated(user):
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
    invitation = invitations_for_invitee(user).filter(pk=parse_uuid(invitation_id)).first()
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
        Invitation.objects.filter(workspace=workspace, pk=parse_uuid(invitation_id))
        .select_related("workspace", "invited_by")
        .first()
    )
    if invitation is None:
        raise Http404("Not found.")
    return invitation
