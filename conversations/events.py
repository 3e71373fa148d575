"""The event log: append with the next gap-free `seq`, publish after the commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from conversations import publisher
from conversations.models import Conversation, Event

CONVERSATION_EVENT = "conversation.events"
FEED_EVENT = "feed.event"


def conversation_group(conversation_id: UUID | str) -> str:
    return f"conversation.{conversation_id}"


def workspace_group(workspace_id: UUID | str) -> str:
    return f"workspace.{workspace_id}"


def _allocate(conversation_id: UUID | str, count: int) -> tuple[int, bool]:
    """Reserve `count` seqs in one statement; the row lock it takes lasts until the commit, so
    concurrent writers (the worker, a person resolving or cancelling) commit in seq order."""
    table = Conversation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + %s WHERE id = %s "  # noqa: S608
            "RETURNING last_seq, cancel_requested",
            [
                count,
                UUID(str(conversation_id)).hex
                if connection.vendor == "sqlite"
                else UUID(str(conversation_id)),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise Conversation.DoesNotExist(conversation_id)
    return row[0] - count, bool(row[1])


def append_events(
    conversation_id: UUID | str, items: Iterable[tuple[str, dict[str, Any]]]
) -> list[Event]:
    """Write events with consecutive seqs; publish them once the surrounding commit happens."""
    items = list(items)
    if not items:
        return []
    with transaction.atomic():
        last_seq, _ = _allocate(conversation_id, len(items))
        events = Event.objects.bulk_create(
            [
                Event(conversation_id=conversation_id, seq=last_seq + i, type=kind, data=data)
                for i, (kind, data) in enumerate(items, start=1)
            ]
        )
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
