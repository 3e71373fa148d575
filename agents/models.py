"""Workspaces, graphs of Mistral agents, the handoff edges between them, and agent history.

Rules that need several rows (same-graph handoffs, unique names per import) live in
`validation.py` and `services.py`; the database enforces what a single table can.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from agents.roles import Role

# Size limits shared by the models, the validation and the API. Instructions are a system prompt:
# 100k characters is far beyond any useful prompt yet keeps a hostile 1 MB body out of the DB.
NAME_MAX_LENGTH = 128
DESCRIPTION_MAX_LENGTH = 2_000
INSTRUCTIONS_MAX_LENGTH = 100_000
MODEL_MAX_LENGTH = 100
DEFAULT_MODEL = "mistral-medium-latest"


class Workspace(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
        ordering = ["workspace", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"


class Graph(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="graphs")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    entry_agent = models.ForeignKey(
        "Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bumped by every service that changes the graph or its agents/edges. The editor sends the
    # revision it last saw; a stale one is refused (409) instead of silently overwriting.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "created_at"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """One Mistral agent. Field names follow Mistral's agent object; `handoffs` are the edges."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph = models.ForeignKey(Graph, on_delete=models.CASCADE, related_name="agents")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    instructions = models.TextField(blank=True, default="")
    model = models.CharField(max_length=MODEL_MAX_LENGTH, default=DEFAULT_MODEL)
    tools = models.JSONField(default=list, blank=True)
    completion_args = models.JSONField(default=dict, blank=True)
    position_x = models.FloatField(default=0)
    position_y = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["graph", "name"]
        constraints = [
            models.UniqueConstraint(fields=["graph", "name"], name="agent_unique_name_in_graph"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def handoff_ids(self) -> list[uuid.UUID]:
        """Targets of the outgoing edges, ordered by target name so output is stable."""
        return [e.target_id for e in self.outgoing_edges.all()]


class HandoffEdge(models.Model):
    """source may hand the conversation off to target (an entry in source's `handoffs`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="outgoing_edges")
    target = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="incoming_edges")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "target__name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="handoff_unique_pair"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="handoff_no_self_edge"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class AgentVersion(models.Model):
    """An immutable snapshot of an agent's configuration after a change, numbered per agent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    # Which configuration fields differ from the previous version, so history reads as a log.
    changed_fields = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agent", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "number"], name="agent_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} v{self.number}"


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
