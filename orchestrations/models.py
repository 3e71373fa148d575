"""Orchestrations of a graph's agents, their runs, the runs' steps and each run's event log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from workspaces.models import NAME_MAX_LENGTH


class Status(models.TextChoices):
    """The conversations' statuses, for runs and steps alike."""

    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_INPUT = "awaiting_input"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATUSES = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)
OPEN_STATUSES = (Status.QUEUED, Status.RUNNING, Status.AWAITING_INPUT)


class Orchestration(models.Model):
    """A named tree of steps over the graph's agents (`spec`, validated by `spec.spec_errors`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph = models.ForeignKey(
        "agents.Graph", on_delete=models.CASCADE, related_name="orchestrations"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    spec = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["graph", "name"], name="orchestration_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OrchestrationRun(models.Model):
    """One run: the spec as it was when it started, its status (owned by the runner) and log."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    orchestration = models.ForeignKey(
        Orchestration, null=True, on_delete=models.SET_NULL, related_name="runs"
    )
    graph = models.ForeignKey("agents.Graph", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=NAME_MAX_LENGTH)  # the orchestration's, when it started
    spec = models.JSONField(default=dict)  # a snapshot: editing the orchestration changes no run
    graph_revision = models.PositiveIntegerField(default=0)
    inputs = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    output = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    last_seq = models.PositiveBigIntegerField(default=0)  # the event log's high-water mark
    # Touched by every pass of the runner; the recovery job advances runs left untouched.
    advanced_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "advanced_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="orchestration_run_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class RunStep(models.Model):
    """One node of the run's tree, addressed by its path in the spec (`spec.parallel[1]`).

    Composite nodes have a step too, so the page shows the whole tree with its timing. An agent
    step's conversation is its latest attempt's; earlier attempts' are in `attempts`."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(OrchestrationRun, on_delete=models.CASCADE, related_name="steps")
    path = models.CharField(max_length=500)
    kind = models.CharField(max_length=16)
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    attempt = models.PositiveIntegerField(default=1)
    attempts = models.JSONField(default=list, blank=True)  # [{"conversation", "error"}] earlier
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    input = models.TextField(blank=True, default="")
    output = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)  # label, winner, subtasks…
    retry_at = models.DateTimeField(null=True, blank=True)  # waiting out a retry's backoff
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "path"], name="run_step_unique_path"),
        ]

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"


class RunEvent(models.Model):
    """Append-only: a run's own log, numbered 1, 2, 3… per run (its steps' conversations keep
    theirs)."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(OrchestrationRun, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="run_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"

    def as_message(self) -> dict:
        return {
            "seq": self.seq,
            "type": self.type,
            "data": self.data,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
        }
