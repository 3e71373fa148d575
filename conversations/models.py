"""Conversations on an agent graph, their gap-free event log, entries, pending actions and files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_INPUT = "awaiting_input"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PAUSED = "paused", "Paused at its budget"


FINAL_STATUSES = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)
"""The statuses in which a conversation's turns are over: no worker holds it, nothing waits for an
answer, and cancelling has nothing to stop. A new message may start the next turn from any of
them. `awaiting_input` is not final: answering its pending actions resumes the turn. The pages
and the editor read this set (and each status's label) from the server, never their own copy."""


class HandoffExecution(models.TextChoices):
    SERVER = "server"
    CLIENT = "client"


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    graph = models.ForeignKey(
        "agents.Graph", on_delete=models.CASCADE, related_name="conversations"
    )
    entry_agent = models.ForeignKey(
        "agents.Agent", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    active_agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    handoff_execution = models.CharField(
        max_length=8, choices=HandoffExecution.choices, default=HandoffExecution.SERVER
    )
    backend = models.CharField(max_length=16)  # "mistral" or "sandbox" when it started
    runtime = models.CharField(max_length=16, default="conversations")  # agents.models.Runtime
    remote_id = models.CharField(max_length=128, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)  # sent to the backend as-is
    title = models.CharField(max_length=200, blank=True, default="")  # the first user message
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    total_tokens = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    last_seq = models.PositiveBigIntegerField(default=0)  # the event log's high-water mark
    cancel_requested = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A branch: a new conversation restarted (on the backend) from an entry of `parent`, keeping
    # the history before that entry. Branches of branches form a tree.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="branches"
    )
    branched_from = models.ForeignKey(
        "Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    branch_agent_versions = models.CharField(max_length=8, blank=True, default="")
    # The agents' versions the conversation ran with, recorded at its first turn:
    # {agent id: {"name", "version" (AgentVersion number), "remote_version"}}.
    agent_versions = models.JSONField(default=dict, blank=True)
    # What its turns cost (priced when each was recorded), and its own limit, if any.
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, default=0)
    budget_usd = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="conv_status_valid")
        ]

    def __str__(self) -> str:
        return self.title or str(self.id)


class Turn(models.Model):
    """One exchange with the backend: what we send, and whether a worker has done it.

    The Celery task claims a queued turn with a compare-and-set, so a redelivered task does
    nothing, and the heartbeat lets the recovery job find turns whose worker died.
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"
        PAUSED = "paused"  # held back at a budget: nothing claims it until it is raised

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16)  # start | message | results | continue
    inputs = models.JSONField(null=True, blank=True)  # Mistral input entries; None = just continue
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    start_seq = models.PositiveBigIntegerField(default=0)  # the log's last seq when it started
    # Set when the broker refused the task (Redis down): the recovery job then sends the turn on
    # its next run instead of waiting for the stale threshold. Cleared once a send succeeds.
    enqueue_failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "number"], name="turn_unique_number"),
            # The database itself refuses a second active turn on one conversation.
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(state__in=["queued", "running"]),
                name="turn_one_active_per_conversation",
            ),
        ]

    def __str__(self) -> str:
        return f"turn {self.number} of {self.conversation_id} ({self.state})"


class Event(models.Model):
    """Append-only log: every stream event and our own, numbered 1, 2, 3… per conversation."""

    id = models.BigAutoField(primary_key=True)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="event_unique_seq"),
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


class Entry(models.Model):
    """The conversation's entries as Mistral defines them, materialised from the events."""

    class Type(models.TextChoices):
        MESSAGE_INPUT = "message.input"
        MESSAGE_OUTPUT = "message.output"
        TOOL_EXECUTION = "tool.execution"
        FUNCTION_CALL = "function.call"
        FUNCTION_RESULT = "function.result"
        AGENT_HANDOFF = "agent.handoff"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="entries")
    turn = models.ForeignKey(Turn, null=True, on_delete=models.SET_NULL, related_name="entries")
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=32, choices=Type.choices)
    remote_id = models.CharField(max_length=128, blank=True, default="")
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=16, blank=True, default="")
    text = models.TextField(blank=True, default="")  # message text, accumulated from deltas
    data = models.JSONField(default=dict, blank=True)  # chunks, name, arguments, info, ids…
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "position"], name="entry_unique_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.type}"


class PendingAction(models.Model):
    class Kind(models.TextChoices):
        FUNCTION_CALL = "function_call"
        HANDOFF = "handoff"
        APPROVAL = "approval"  # a worker-run tool whose policy says `ask`: approve or reject

    class State(models.TextChoices):
        PENDING = "pending"
        RESOLVED = "resolved"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="pending_actions"
    )
    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="pending_actions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=128)  # function name, or the next agent's name
    arguments = models.JSONField(default=dict, blank=True)
    tool_call_id = models.CharField(max_length=128, blank=True, default="")
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    result = models.TextField(blank=True, default="")
    decision = models.CharField(max_length=16, blank=True, default="")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} ({self.status})"

    def as_data(self) -> dict:
        data = {
            "id": str(self.id),
            "conversation": str(self.conversation_id),
            "kind": self.kind,
            "name": self.name,
            "arguments": self.arguments,
            "tool_call_id": self.tool_call_id,
            "status": self.status,
        }
        # An approved tool the worker has not run yet ("approved") has no result to show.
        if self.status == self.State.RESOLVED and self.decision != "approved":
            data["result"] = self.decision if self.kind == self.Kind.HANDOFF else self.result
        return data


def _file_path(instance: GeneratedFile, filename: str) -> str:
    return f"generated/{instance.conversation_id}/{instance.id}-{filename}"


class GeneratedFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="files")
    entry = models.ForeignKey(Entry, null=True, on_delete=models.SET_NULL, related_name="files")
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remote_id = models.CharField(max_length=128)
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=100)  # MIME type
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to=_file_path, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "remote_id"], name="file_unique_remote"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """The first successful answer to a POST sent with an `Idempotency-Key` header, so that a
    retry with the same key gets that answer again instead of doing the work twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=512)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    response_status = models.PositiveSmallIntegerField(null=True)  # null until it is answered
    response_body = models.TextField(blank=True, default="")  # the JSON, as first sent
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


# The cost models live in their own module; importing them here registers them with the app.
from conversations.costs import ModelPrice, UsageRecord, WorkspaceBudget  # noqa: E402

__all__ = [
    "FINAL_STATUSES",
    "Conversation",
    "Entry",
    "Event",
    "GeneratedFile",
    "HandoffExecution",
    "IdempotencyKey",
    "ModelPrice",
    "PendingAction",
    "Status",
    "Turn",
    "UsageRecord",
    "WorkspaceBudget",
]
