"""Workspaces (teams), their members with a role each, and invitations to join.

The ground floor: every other app scopes its objects to a workspace. The tables keep the names
they had when these models lived in `agents` (`db_table`), so moving them changed no data.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workspaces.roles import Role

# Shared with the graphs and agents (agents.models), the validation and the API.
NAME_MAX_LENGTH = 128


class Workspace(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "agents_workspace"
        ordering = ["name", "created_at"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "agents_membership"
        ordering = ["workspace", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


INVITEE_MAX_LENGTH = 254  # an email address's limit; usernames are shorter
INVITATION_LIFETIME = timedelta(days=14)


def invitation_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry():
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An admin's offer of a role in a workspace, addressed to a username or an email address as
    typed. Nothing about the addressee is looked up when it is made (so the answer cannot tell
    whether the account exists); whoever signs in with that username or email sees it and may
    accept it, which is what creates the Membership."""

    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        DECLINED = "declined"
        REVOKED = "revoked"
        EXPIRED = "expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.CharField(max_length=INVITEE_MAX_LENGTH)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For a link sent by email; never shown to the inviter.
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)

    class Meta:
        db_table = "agents_invitation"
        ordering = ["-created_at"]
        constraints = [
            # Inviting the same person again while an invitation is open renews that one.
            models.UniqueConstraint(
                fields=["workspace", "invitee"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_invitee",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
        ]
        indexes = [models.Index(fields=["invitee", "status"], name="invitation_invitee_status")]

    def __str__(self) -> str:
        return f"{self.invitee} to {self.workspace} ({self.role})"

    @property
    def current_status(self) -> str:
        """The status as of now: a pending invitation past its expiry reads as expired even
        before anything has marked it so."""
        if self.status == self.Status.PENDING and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status
