"""The event log: append with the next gap-free `seq`, publish after the commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import transaction

from conversations import publisher
from conversations.models import Conversation, Event

CONVERSATION_EVENT = "conversation.events"
FEED_EVENT = "feed.event"


def conversation_group(conversation_id: UUID | str) -> str:
    return f"conversation.{conversation_id}"


def workspace_group(workspace_id: UUID | str) -> str:
    return f"workspace.{workspace_id}"


def append_events(
    conversation_id: UUID | str, items: Iterable[tuple[str, dict[str, Any]]]
) -> list[Event]:
    """Write events with consecutive seqs; publish them once the surrounding commit happens.

    The conversation row is locked for the allocation, so concurrent writers (the worker and a
    person resolving or cancelling) queue up and commit in seq order: the log has no gaps.
    """
    items = list(items)
    if not items:
        return []
    with transaction.atomic():
        last_seq = (
            Conversation.objects.select_for_update()
            .filter(pk=conversation_id)
            .values_list("last_seq", flat=True)
            .get()
        )
        events = Event.objects.bulk_create(
            [
                Event(conversation_id=conversation_id, seq=last_seq + i, type=kind, data=data)
                for i, (kind, data) in enumerate(items, start=1)
            ]
        )
        Conversation.objects.filter(pk=conversation_id).update(last_seq=last_seq + len(items))
        messages = [event.as_message() for event in events]
        transaction.on_commit(
            lambda: publisher.publish(
                conversation_group(conversation_id),
                {"type": CONVERSATION_EVENT, "events": messages},
            )
        )
    return events


def publish_feed(workspace_id: UUID | str, kind: str, data: dict[str, Any]) -> None:
    """Workspace-wide notices (status changes, pending actions) for dashboards and inboxes."""
    transaction.on_commit(
        lambda: publisher.publish(
            workspace_group(workspace_id), {"type": FEED_EVENT, "kind": kind, "data": data}
        )
    )
