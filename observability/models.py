"""How far each conversation's log has been exported as a trace and counted into the metrics."""

from __future__ import annotations

from django.db import models


class ConversationTrace(models.Model):
    """Spans that ended at or before `exported_seq` have reached the OTLP endpoint; turns that
    ended at or before `observed_seq` are in the metrics. A failed export keeps its seq, so the
    periodic retry sends the same spans again once the endpoint answers."""

    conversation = models.OneToOneField(
        "conversations.Conversation",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="trace_state",
    )
    exported_seq = models.PositiveBigIntegerField(default=0)
    observed_seq = models.PositiveBigIntegerField(default=0)
    failed_attempts = models.PositiveIntegerField(default=0)  # in a row, since the last success
    last_error = models.TextField(blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # One exporter at a time per conversation: the hook and the retry may both be on their way.
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"trace of {self.conversation_id} up to #{self.exported_seq}"
