"""Graphs of Mistral agents, the handoff edges between them, and agent history.

Rules that need several rows (same-graph handoffs, unique names per import) live in
`validation.py` and `services.py`; the database enforces what a single table can.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from workspaces.models import NAME_MAX_LENGTH, Workspace

# Size limits shared by the models, the validation and the API. Instructions are a system prompt:
# 100k characters is far beyond any useful prompt yet keeps a hostile 1 MB body out of the DB.
DESCRIPTION_MAX_LENGTH = 2_000
INSTRUCTIONS_MAX_LENGTH = 100_000
MODEL_MAX_LENGTH = 100
DEFAULT_MODEL = "mistral-medium-latest"


class Runtime(models.TextChoices):
    """Where a conversation runs: Mistral's Conversations API runs the handoffs (`conversations`),
    or the worker runs them itself on chat completions (`local`, self-hosted models too)."""

    CONVERSATIONS = "conversations"
    LOCAL = "local"


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
    # The runtime new conversations on this graph use unless they choose one.
    runtime = models.CharField(
        max_length=16, choices=Runtime.choices, default=Runtime.CONVERSATIONS
    )
    # Local runtime: model calls one user message may cost before the run stops.
    max_turns = models.PositiveIntegerField(null=True, blank=True)
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
    # Approval policy of the tools the worker runs (Python-registered, MCP): see
    # conversations.tool_policy. Empty: every such tool is allowed.
    tool_policy = models.JSONField(default=dict, blank=True)
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
        """Targets of the outgoing edges, ordered by target name so output is stable (as
        `agents_of_graph_listed` already read them, when it did)."""
        listed = self.__dict__.get("listed_handoff_ids")
        if listed is not None:
            return listed
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


class McpServer(models.Model):
    """An MCP tool server attached to an agent: its tools are offered to the model as function
    tools and executed by the worker (both runtimes). `env` and `headers` hold secrets: written,
    never shown back (the API gives their keys only)."""

    class Transport(models.TextChoices):
        STDIO = "stdio"
        HTTP = "http"  # streamable HTTP

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="mcp_servers")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    transport = models.CharField(max_length=8, choices=Transport.choices)
    command = models.CharField(max_length=500, blank=True, default="")
    args = models.JSONField(default=list, blank=True)
    env = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=2000, blank=True, default="")
    headers = models.JSONField(default=dict, blank=True)
    timeout_s = models.PositiveIntegerField(default=20)
    # The last listing: MCP tool objects ({name, description, inputSchema}), or why it failed.
    tools = models.JSONField(default=list, blank=True)
    tools_error = models.TextField(blank=True, default="")
    tools_listed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agent", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "name"], name="mcp_server_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.name}"
