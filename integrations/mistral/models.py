"""Remote agents: what each of our agents looks like on each backend it was synced to.

The table keeps the name it had when the model lived in `conversations` (`db_table`)."""

from __future__ import annotations

from django.db import models


class RemoteAgent(models.Model):
    """What an agent looks like on one backend: its remote id, version and what was pushed."""

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="remotes")
    backend = models.CharField(max_length=255)  # "sandbox:<url>" or "mistral:<url>"
    remote_id = models.CharField(max_length=128)
    # The version and a fingerprint of the remote configuration after our last push: a sync that
    # finds either changed knows someone else changed the agent, and pushes ours again.
    remote_version = models.PositiveIntegerField(default=0)
    remote_fingerprint = models.CharField(max_length=64, blank=True, default="")
    config_hash = models.CharField(max_length=64)
    handoffs_hash = models.CharField(max_length=64, blank=True, default="")
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "conversations_remoteagent"
        constraints = [
            models.UniqueConstraint(fields=["agent", "backend"], name="remote_agent_unique"),
        ]
        indexes = [models.Index(fields=["backend", "remote_id"])]

    def __str__(self) -> str:
        return f"{self.remote_id} v{self.remote_version}"
