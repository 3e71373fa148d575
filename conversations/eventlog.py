"""The event log's writer: the one place that allocates seqs and inserts events.

Seqs are gap-free per conversation: `allocate_seqs` reserves them in one statement whose row lock
lasts until the commit, so concurrent writers (the worker, a person resolving or cancelling)
commit in seq order. Events are published only after the commit that wrote them.

`append_events` is what the services call inside their transactions; `write_group` is the
flusher's group commit, one transaction for the buffered events and entry snapshots of many
conversations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from conversations import deltas, publisher
from conversations.events import EventType
from conversations.models import Conversation, Entry, Event
from conversations.publisher import CONVERSATION_EVENT, FEED_EVENT, conversation_group

ENTRY_FIELDS = ["text", "data", "agent"]


def allocate_seqs(conversation_id: UUID | str, count: int) -> tuple[int, bool]:
    """Reserve `count` seqs; returns the last seq before them and the cancel flag."""
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


def _rows(
    conversation_id: UUID | str, last_seq: int, items: list[tuple[EventType, dict[str, Any]]]
) -> list[Event]:
    return [
        Event(conversation_id=conversation_id, seq=last_seq + i, type=str(kind), data=data)
        for i, (kind, data) in enumerate(items, start=1)
    ]


def _publish_after_commit(messages: list[tuple[UUID | str, list[dict]]]) -> None:
    def send() -> None:
        for conversation_id, events in messages:
            publisher.publish(
                conversation_group(conversation_id), {"type": CONVERSATION_EVENT, "events": events}
            )

    transaction.on_commit(send)


def append_events(
    conversation_id: UUID | str, items: Iterable[tuple[EventType, dict[str, Any]]]
) -> list[Event]:
    """Write events with consecutive seqs; publish them once the surrounding commit happens."""
    items = list(items)
    if not items:
        return []
    with transaction.atomic():
        last_seq, _ = allocate_seqs(conversation_id, len(items))
        events = Event.objects.bulk_create(_rows(conversation_id, last_seq, items))
        _publish_after_commit([(conversation_id, [event.as_message() for event in events])])
    return events


def publish_feed(workspace_id: UUID | str, kind: EventType, data: dict[str, Any]) -> None:
    """Workspace-wide notices (status changes, pending actions) for dashboards and inboxes."""
    transaction.on_commit(
        lambda: publisher.publish(
            publisher.workspace_group(workspace_id),
            {"type": FEED_EVENT, "kind": str(kind), "data": data},
        )
    )


@dataclass
class LogWrite:
    """What one turn hands the group commit: events to log, entry snapshots (copies, safe to save
    from another thread) to upsert, and fields of its conversation to update."""

    conversation_id: UUID
    events: list[tuple[EventType, dict[str, Any]]]
    entries: list[Entry]
    conversation_fields: dict[str, Any]


def write_group(writes: Sequence[LogWrite]) -> dict[UUID, bool]:
    """One transaction for all writes, per conversation in the order given. Returns each
    conversation's cancel flag as read with its seqs."""
    by_conversation: dict[UUID, list[LogWrite]] = {}
    for write in writes:
        by_conversation.setdefault(write.conversation_id, []).append(write)
    published: list[tuple[UUID | str, list[Event]]] = []
    cancel: dict[UUID, bool] = {}
    with transaction.atomic():
        events: list[Event] = []
        entries: dict[UUID, Entry] = {}
        # Row locks always in the same order, so two writers never wait on each other in a cycle.
        for conversation_id, group in sorted(by_conversation.items(), key=lambda kv: str(kv[0])):
            # A writer that fell behind folds the deltas its batches share, too.
            items = deltas.coalesce([item for write in group for item in write.events])
            cancel[conversation_id] = False
            if items:
                last_seq, cancel[conversation_id] = allocate_seqs(conversation_id, len(items))
                first = len(events)
                events += _rows(conversation_id, last_seq, items)
                published.append((conversation_id, events[first:]))
            fields: dict[str, Any] = {}
            for write in group:
                fields.update(write.conversation_fields)
                entries.update({entry.pk: entry for entry in write.entries})
            if fields:
                Conversation.objects.filter(pk=conversation_id).update(**fields)
        Event.objects.bulk_create(events)
        if entries:
            Entry.objects.bulk_create(
                list(entries.values()),
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=ENTRY_FIELDS,
            )
        _publish_after_commit(
            [(cid, [event.as_message() for event in evs]) for cid, evs in published]
        )
    return cancel
