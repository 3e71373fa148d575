"""The audit trail: one append-only row per human action, written by the services inside the
transaction of the change it records (so a rolled-back action leaves no row).

Rows outlive what they describe: the actor and workspace are kept as ids *and* as names, and the
foreign keys carry no database constraint and no cascade, so deleting a user or a workspace never
touches (or is blocked by) its history. Nothing updates or deletes a row through the ORM; the
only deletion is the retention purge (`audit.services.audit_purge_expired`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit row outside the retention purge."""


class Action(models.TextChoices):
    LOGIN = "auth.login", "signed in"
    LOGIN_FAILED = "auth.login_failed", "sign-in failed"
    LOGOUT = "auth.logout", "signed out"
    LOCKED_OUT = "auth.locked_out", "sign-in locked out"
    WORKSPACE_CREATE = "workspace.create", "workspace created"
    WORKSPACE_UPDATE = "workspace.update", "workspace changed"
    WORKSPACE_DELETE = "workspace.delete", "workspace deleted"
    MEMBERSHIP_ADD = "membership.add", "member added"
    MEMBERSHIP_CHANGE = "membership.change", "member role changed"
    MEMBERSHIP_REMOVE = "membership.remove", "member removed"
    INVITATION_CREATE = "invitation.create", "member invited"
    INVITATION_ACCEPT = "invitation.accept", "invitation accepted"
    INVITATION_DECLINE = "invitation.decline", "invitation declined"
    INVITATION_REVOKE = "invitation.revoke", "invitation revoked"
    GRAPH_CREATE = "graph.create", "graph created"
    GRAPH_UPDATE = "graph.update", "graph changed"
    GRAPH_DELETE = "graph.delete", "graph deleted"
    GRAPH_IMPORT = "graph.import", "graph imported"
    GRAPH_SYNC = "graph.sync", "graph synced to the backend"
    AGENT_DRIFT_REPAIRED = "agent.drift_repaired", "agent changed on the backend, restored by sync"
    AGENT_CREATE = "agent.create", "agent created"
    AGENT_UPDATE = "agent.update", "agent changed"
    AGENT_DELETE = "agent.delete", "agent deleted"
    AGENT_RESTORE = "agent.restore", "agent version restored"
    HANDOFF_CREATE = "handoff.create", "handoffs added"
    HANDOFF_UPDATE = "handoff.update", "handoffs changed"
    HANDOFF_DELETE = "handoff.delete", "handoffs removed"
    CONVERSATION_START = "conversation.start", "conversation started"
    CONVERSATION_MESSAGE = "conversation.message", "follow-up message sent"
    CONVERSATION_CANCEL = "conversation.cancel", "conversation cancelled"
    CONVERSATION_BRANCH = "conversation.branch", "conversation branched from an entry"
    BUDGET_CHANGE = "budget.change", "budget changed"
    BUDGET_REACHED = "budget.reached", "run paused at its budget"
    PENDING_RESOLVE = "pending.resolve", "pending action answered"
    FILE_DOWNLOAD = "file.download", "file downloaded"
    TOKEN_CREATE = "token.create", "API token created"
    TOKEN_REVOKE = "token.revoke", "API token revoked"
    AUDIT_PURGE = "audit.purge", "audit rows past retention purged"
    ORCHESTRATION_CREATE = "orchestration.create", "orchestration created"
    ORCHESTRATION_UPDATE = "orchestration.update", "orchestration changed"
    ORCHESTRATION_DELETE = "orchestration.delete", "orchestration deleted"
    ORCHESTRATION_RUN = "orchestration.run", "orchestration run started"
    ORCHESTRATION_CANCEL = "orchestration.cancel", "orchestration run cancelled"


class Outcome(models.TextChoices):
    SUCCESS = "success"
    FAILURE = "failure"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit rows are append-only; they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit rows are append-only; only the retention purge deletes.")

    # bulk_update goes through update(); bulk_create is allowed (it only appends).

    def _purge(self) -> int:
        """The retention purge's own door (audit.services.audit_purge_expired); nothing else."""
        return models.QuerySet.delete(self)[0]


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Kept as text so the row still names the person after the account is deleted or renamed.
    actor_username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=32, choices=Action.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(max_length=32, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    object_repr = models.CharField(max_length=200, blank=True, default="")
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    workspace_name = models.CharField(max_length=128, blank=True, default="")
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    request = models.CharField(max_length=300, blank=True, default="")  # "POST /api/agents/"

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="audit_ws_time"),
            models.Index(fields=["created_at"], name="audit_time"),
            models.Index(fields=["action", "-created_at"], name="audit_action_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="audit_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "system"
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit rows are append-only; they cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit rows are append-only; only the retention purge deletes.")
