"""Workspaces and their memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from agents import validation
from agents.exceptions import DomainValidationError
from agents.models import Graph, Membership, Workspace
from agents.roles import Role
from agents.services.common import User, raise_if
from audit.models import Action
from audit.services import audit_record


def membership_state(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user_id,
        "username": membership.user.get_username(),
        "role": membership.role,
    }


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
    before = {
        "name": workspace.name,
        "graphs": sorted(Graph.objects.filter(workspace=workspace).values_list("name", flat=True)),
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
    if (
        membership.role == Role.ADMIN
        and role != Role.ADMIN
        and _admin_count(membership.workspace) <= 1
    ):
        raise DomainValidationError({"role": ["The workspace must keep at least one admin."]})
    before = membership_state(membership)
    before["role"] = Membership.objects.values_list("role", flat=True).get(pk=membership.pk)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_CHANGE,
        obj=membership,
        workspace=membership.workspace,
        before=before,
        after=membership_state(membership),
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    if membership.role == Role.ADMIN and _admin_count(membership.workspace) <= 1:
        raise DomainValidationError({"role": ["The workspace must keep at least one admin."]})
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_REMOVE,
        obj=membership,
        workspace=membership.workspace,
        before=membership_state(membership),
    )
    membership.delete()
