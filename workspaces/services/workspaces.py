"""Workspaces and their memberships.

Every service that changes a workspace's memberships, or deletes it, first locks the workspace
row and re-reads what it changes: a concurrent delete of the workspace (which cascades to its
memberships) then either waits for it or is seen to have won, and the loser answers 404
(`ObjectGone`) instead of tripping over rows that vanished under it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from workspaces import validation
from workspaces.exceptions import DomainValidationError, ObjectGone
from workspaces.models import Membership, Workspace
from workspaces.roles import Role
from workspaces.services.common import User, raise_if


def membership_state(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user_id,
        "username": membership.user.get_username(),
        "role": membership.role,
    }


def lock_workspace(workspace_id: Any, *, deleting: bool = False) -> Workspace:
    """The workspace row, locked until the end of the transaction; `ObjectGone` if deleted.
    Membership changes take the weaker no-key lock, so they do not hold up inserts that merely
    reference the workspace (new graphs); a delete takes the full one."""
    queryset = Workspace.objects.select_for_update(no_key=not deleting)
    workspace = queryset.filter(pk=workspace_id).first()
    if workspace is None:
        raise ObjectGone("This workspace no longer exists.")
    return workspace


def lock_membership(membership: Membership) -> Membership:
    """A fresh, locked copy of the membership (and its workspace, locked first)."""
    workspace = lock_workspace(membership.workspace_id)
    current = (
        Membership.objects.select_for_update(no_key=True)
        .filter(pk=membership.pk, workspace=workspace)
        .select_related("user")
        .first()
    )
    if current is None:
        raise ObjectGone("This membership no longer exists.")
    current.workspace = workspace
    return current


def check_role_value(role: Any) -> None:
    if role not in Role.values:
        raise DomainValidationError({"role": [f"Must be one of {', '.join(Role.values)}."]})


@transaction.atomic
def workspace_create(*, actor: User, name: str) -> Workspace:
    """The creator becomes the workspace's first admin."""
    raise_if(validation.name_errors(name))
    workspace = Workspace.objects.create(name=name, created_by=actor)
    Membership.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    audit_record(
        actor=actor,
        action=Action.WORKSPACE_CREATE,
        obj=workspace,
        workspace=workspace,
        after={"name": name},
    )
    return workspace


@transaction.atomic
def workspace_update(*, actor: User, workspace: Workspace, name: str) -> Workspace:
    raise_if(validation.name_errors(name))
    before = {"name": Workspace.objects.values_list("name", flat=True).get(pk=workspace.pk)}
    workspace.name = name
    workspace.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action=Action.WORKSPACE_UPDATE,
        obj=workspace,
        workspace=workspace,
        before=before,
        after={"name": name},
    )
    return workspace


@transaction.atomic
def workspace_delete(*, actor: User, workspace: Workspace) -> None:
    workspace = lock_workspace(workspace.pk, deleting=True)
    before = {
        "name": workspace.name,
        # Through the reverse relation: the graphs live in an app above this one.
        "graphs": sorted(workspace.graphs.values_list("name", flat=True)),
        "members": sorted(
            Membership.objects.filter(workspace=workspace).values_list("user__username", flat=True)
        ),
    }
    # Recorded before the delete: the row keeps the workspace's id and name, not a foreign key.
    audit_record(
        actor=actor,
        action=Action.WORKSPACE_DELETE,
        obj=workspace,
        workspace=workspace,
        before=before,
    )
    workspace.delete()


def _admin_count(workspace: Workspace) -> int:
    # Lock the admins so two concurrent demotions cannot both pass the "one admin left" check.
    return len(Membership.objects.select_for_update().filter(workspace=workspace, role=Role.ADMIN))


@transaction.atomic
def membership_add(*, actor: User, workspace: Workspace, user: User, role: str) -> Membership:
    check_role_value(role)
    workspace = lock_workspace(workspace.pk)
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise DomainValidationError({"user": ["This user is already a member."]})
    membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_ADD,
        obj=membership,
        workspace=workspace,
        after=membership_state(membership),
    )
    return membership


@transaction.atomic
def membership_change(*, actor: User, membership: Membership, role: str) -> Membership:
    check_role_value(role)
    current = lock_membership(membership)
    if current.role == Role.ADMIN and role != Role.ADMIN and _admin_count(current.workspace) <= 1:
        raise DomainValidationError({"role": ["The workspace must keep at least one admin."]})
    before = membership_state(current)
    current.role = role
    current.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_CHANGE,
        obj=current,
        workspace=current.workspace,
        before=before,
        after=membership_state(current),
    )
    # The caller's object reflects what was stored (the API renders it).
    membership.role, membership.updated_at = current.role, current.updated_at
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    current = lock_membership(membership)
    if current.role == Role.ADMIN and _admin_count(current.workspace) <= 1:
        raise DomainValidationError({"role": ["The workspace must keep at least one admin."]})
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_REMOVE,
        obj=current,
        workspace=current.workspace,
        before=membership_state(current),
    )
    current.delete()
