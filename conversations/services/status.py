"""Status changes of a conversation: compare-and-set, logged, and announced on the feed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from conversations.eventlog import append_events, publish_feed
from conversations.events import ConversationStatusData, EventType, FeedStatusData
from conversations.models import FINAL_STATUSES, Conversation, Status
from conversations.queue import enqueue_orchestration_advance, enqueue_turn_ended


def status_data(status: str, error: str = "") -> ConversationStatusData:
    data: ConversationStatusData = {"status": status}
    if error:
        data["error"] = error
    return data


def status_feed_notice(conversation: Conversation, status: str, error: str = "") -> FeedStatusData:
    return {
        "conversation": str(conversation.pk),
        "graph": str(conversation.graph_id),
        "status": status,
        "active_agent": str(conversation.active_agent_id or ""),
        "error": error,
    }


def conversation_set_status(
    *,
    conversation: Conversation,
    expected: tuple[str, ...] | list[str],
    status: str,
    error: str = "",
    **fields: Any,
) -> bool:
    """Compare-and-set the status; on success append the status event. Returns whether it moved."""
    with transaction.atomic():
        now = timezone.now()
        updates: dict[str, Any] = {"status": status, "updated_at": now, **fields}
        if status in FINAL_STATUSES or status == Status.AWAITING_INPUT:
            updates["finished_at"] = now
        if status == Status.FAILED or error:
            updates["error"] = error
        elif status in (Status.QUEUED, Status.RUNNING):
            updates["error"] = ""
        moved = Conversation.objects.filter(pk=conversation.pk, status__in=expected).update(
            **updates
        )
        if not moved:
            return False
        for key, value in updates.items():
            setattr(conversation, key, value)
        data = status_data(status, error)
        append_events(conversation.pk, [(EventType.CONVERSATION_STATUS, data)])
        publish_feed(
            conversation.graph.workspace_id,
            EventType.CONVERSATION_STATUS,
            status_feed_notice(conversation, status, error),
        )
        if status in FINAL_STATUSES or status == Status.AWAITING_INPUT:
            enqueue_turn_ended(conversation.pk)  # the end-of-turn hook (observability)
        enqueue_orchestration_advance(conversation)  # a run's step: its next pass
        return True
