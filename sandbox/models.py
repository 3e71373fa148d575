"""The sandbox's own state: agents with their versions and aliases, conversations, entries, files.

Everything lives in the database so every process (uvicorn workers, Celery, tests) sees the same
agents and conversations. The JSON columns hold exactly what goes over the wire.
"""

from __future__ import annotations

from django.db import models


class SandboxAgent(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    active_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.id


class SandboxAgentVersion(models.Model):
    """One immutable snapshot of an agent's configuration (every PATCH makes a new one)."""

    agent = models.ForeignKey(SandboxAgent, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    config = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "version"], name="sandbox_agent_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}@{self.version}"


class SandboxAgentAlias(models.Model):
    agent = models.ForeignKey(SandboxAgent, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["alias"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "alias"], name="sandbox_agent_alias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}:{self.alias}"


class SandboxConversation(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    # Agent conversations: the entry agent and its version; model conversations: model + config.
    agent_id = models.CharField(max_length=64, blank=True, default="")
    agent_version = models.PositiveIntegerField(null=True, blank=True)
    model = models.CharField(max_length=200, blank=True, default="")
    instructions = models.TextField(blank=True, default="")
    tools = models.JSONField(default=list)
    completion_args = models.JSONField(default=dict)
    name = models.CharField(max_length=500, blank=True, null=True)
    description = models.TextField(blank=True, null=True)
    metadata = models.JSONField(null=True, blank=True)
    # The agent that answers next: handoffs move it, and it stays moved.
    active_agent_id = models.CharField(max_length=64, blank=True, default="")
    # Progress through a scripted scenario, if one matched: {"file", "index", "turn"}.
    scenario = models.JSONField(null=True, blank=True)
    # Compare-and-set turn lock: a second concurrent turn gets 409.
    turn_token = models.CharField(max_length=64, blank=True, default="")
    turn_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.id


class SandboxEntry(models.Model):
    conversation = models.ForeignKey(
        SandboxConversation, on_delete=models.CASCADE, related_name="entries"
    )
    seq = models.PositiveIntegerField()
    entry_id = models.CharField(max_length=64)
    type = models.CharField(max_length=40)
    data = models.JSONField()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="sandbox_entry_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq} {self.type}"


class SandboxFile(models.Model):
    """A file a built-in tool produced (code_interpreter chart, generated image)."""

    id = models.CharField(primary_key=True, max_length=64)
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100, default="image/png")
    content = models.BinaryField()
    conversation_id = models.CharField(max_length=64, blank=True, default="")
    # Uploaded files keep what the client said; tool-made files are the code interpreter's.
    purpose = models.CharField(max_length=40, default="code_interpreter")
    source = models.CharField(max_length=20, default="mistral")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class SandboxFaultCounter(models.Model):
    """How often a counted fault (`sandbox_fault_times`) has fired for one key."""

    key = models.CharField(primary_key=True, max_length=255)
    fired = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.fired}"


class SandboxLibrary(models.Model):
    """A document library (`/v1/libraries`): what `document_library` tools search."""

    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, null=True)
    chunk_size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class SandboxDocument(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    library = models.ForeignKey(SandboxLibrary, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    content = models.BinaryField()
    text = models.TextField(blank=True, default="")  # what the sandbox "extracted"
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
