"""Invitations: an admin invites a username or email address; the invitee accepts or declines.

Making an invitation never looks the addressee up, so its answer is the same whether or not such
an account exists (no user enumeration). Status moves are compare-and-set on `pending`, so a
double click, two tabs, or a revoke racing an accept change it once and the loser gets a 409.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from workspaces.exceptions import DomainValidationError, StateConflict
from workspaces.models import (
    INVITATION_LIFETIME,
    INVITEE_MAX_LENGTH,
    Invitation,
    Membership,
    Workspace,
)
from workspaces.roles import Role
from workspaces.services.common import User
from workspaces.services.workspaces import lock_workspace, membership_state

# What a Django username may contain (its default validator); every email address we accept
# fits it too, so one rule keeps control characters, spaces and markup out.
INVITEE_PATTERN = re.compile(r"^[\w.@+-]+\Z")

Status = Invitation.Status


def invitee_errors(invitee: Any) -> dict[str, list[str]]:
    if not isinstance(invitee, str) or not invitee.strip():
        return {"invitee": ["Give a username or an email address."]}
    invitee = invitee.strip()
    if len(invitee) > INVITEE_MAX_LENGTH:
        return {"invitee": [f"At most {INVITEE_MAX_LENGTH} characters."]}
    if not INVITEE_PATTERN.match(invitee):
        return {"invitee": ["Letters, digits and @ . + - _ only."]}
    return {}


def invitation_state(invitation: Invitation) -> dict[str, Any]:
    return {
        "invitee": invitation.invitee,
        "role": invitation.role,
        "status": invitation.status,
        "expires_at": invitation.expires_at.isoformat(),
    }


def _record(actor: User, action: str, invitation: Invitation, before: dict | None, **extra: Any):
    audit_record(
        actor=actor,
        action=action,
        obj=invitation,
        workspace=invitation.workspace,
        before=before,
        after={**invitation_state(invitation), **extra},
    )


@transaction.atomic
def invitation_create(*, actor: User, workspace: Workspace, invitee: Any, role: Any) -> Invitation:
    """Invite `invitee` (a username or email, as typed) with `role`. Inviting someone who already
    has an open invitation renews it (new role, new expiry) instead of adding a second one."""
    errors = invitee_errors(invitee)
    if role not in Role.values:
        errors["role"] = [f"Must be one of {', '.join(Role.values)}."]
    if errors:
        raise DomainValidationError(errors)
    invitee = invitee.strip()
    workspace = lock_workspace(workspace.pk)
    # Members are listed to every member already, so saying so reveals no account.
    if Membership.objects.filter(workspace=workspace, user__username=invitee).exists():
        raise DomainValidationError({"invitee": ["Already a member of this workspace."]})
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .filter(workspace=workspace, invitee=invitee, status=Status.PENDING)
        .first()
    )
    before = invitation_state(invitation) if invitation else None
    if invitation is None:
        invitation = Invitation(workspace=workspace, invitee=invitee)
    invitation.role = role
    invitation.invited_by = actor
    invitation.expires_at = now + INVITATION_LIFETIME
    invitation.save()
    invitation.workspace = workspace
    _record(actor, Action.INVITATION_CREATE, invitation, before)
    return invitation


def expire_if_due(invitation: Invitation) -> None:
    """Mark a pending invitation past its expiry as expired, in its own commit, so the answer
    that refuses it (a rolled-back transaction) does not undo the mark."""
    Invitation.objects.filter(
        pk=invitation.pk, status=Status.PENDING, expires_at__lte=timezone.now()
    ).update(status=Status.EXPIRED)


def _move(invitation: Invitation, actor: User, to: str) -> Invitation:
    """Compare-and-set `pending → to`; anything no longer pending is a `StateConflict`."""
    now = timezone.now()
    moved = Invitation.objects.filter(
        pk=invitation.pk, status=Status.PENDING, expires_at__gt=now
    ).update(status=to, responded_by=actor, responded_at=now)
    if not moved:
        current = Invitation.objects.filter(pk=invitation.pk).values_list("status", flat=True)
        state = current.first() or "gone"
        if state == Status.PENDING:
            state = Status.EXPIRED  # it expired between the two statements
        raise StateConflict(f"This invitation is no longer pending (it is {state}).")
    invitation.status, invitation.responded_by, invitation.responded_at = to, actor, now
    return invitation


def invitation_accept(*, actor: User, invitation: Invitation) -> Membership:
    """The invitee joins with the invited role. Someone who became a member meanwhile (another
    invitation, the admin site) keeps the role they have."""
    expire_if_due(invitation)
    with transaction.atomic():
        # Lock the workspace first: a delete racing the accept either waits or is seen (404).
        workspace = lock_workspace(invitation.workspace_id)
        invitation.workspace = workspace
        _move(invitation, actor, Status.ACCEPTED)
        membership, created = Membership.objects.get_or_create(
            workspace=workspace, user=actor, defaults={"role": invitation.role}
        )
        _record(
            actor,
            Action.INVITATION_ACCEPT,
            invitation,
            {"status": Status.PENDING},
            membership=str(membership.pk),
            member=membership_state(membership),
            already_member=not created,
        )
    return membership


def _close(*, actor: User, invitation: Invitation, to: str, action: str) -> Invitation:
    expire_if_due(invitation)
    with transaction.atomic():
        invitation.workspace = lock_workspace(invitation.workspace_id)
        _move(invitation, actor, to)
        _record(actor, action, invitation, {"status": Status.PENDING})
    return invitation


def invitation_decline(*, actor: User, invitation: Invitation) -> Invitation:
    return _close(
        actor=actor, invitation=invitation, to=Status.DECLINED, action=Action.INVITATION_DECLINE
    )


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    return _close(
        actor=actor, invitation=invitation, to=Status.REVOKED, action=Action.INVITATION_REVOKE
    )
