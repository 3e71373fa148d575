"""A run's event log: gap-free seqs per run, published to the run's group after the commit.

The same design as the conversations' log (`conversations.eventlog`): one UPDATE … RETURNING
reserves the seqs and holds the run's row lock until the commit, so writers commit in seq order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from conversations import publisher
from conversations.events import RunEventType
from orchestrations.models import OrchestrationRun, RunEvent


def run_group(run_id: UUID | str) -> str:
    return f"orchestration-run.{run_id}"


def _allocate(run_id: UUID | str, count: int) -> int:
    table = OrchestrationRun._meta.db_table
    key = UUID(str(run_id))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + %s WHERE id = %s RETURNING last_seq",  # noqa: S608
            [count, key.hex if connection.vendor == "sqlite" else key],
        )
        row = cursor.fetchone()
    if row is None:
        raise OrchestrationRun.DoesNotExist(run_id)
    return row[0] - count


def append_run_events(
    run_id: UUID | str, items: Iterable[tuple[RunEventType, dict[str, Any]]]
) -> list[RunEvent]:
    items = list(items)
    if not items:
        return []
    with transaction.atomic():
        last = _allocate(run_id, len(items))
        events = RunEvent.objects.bulk_create(
            [
                RunEvent(run_id=run_id, seq=last + i, type=str(kind), data=data)
                for i, (kind, data) in enumerate(items, start=1)
            ]
        )
        messages = [event.as_message() for event in events]
        # The consumers' message type is the conversations' one: the run socket reuses their
        # replay-then-live delivery.
        transaction.on_commit(
            lambda: publisher.publish(
                run_group(run_id), {"type": publisher.CONVERSATION_EVENT, "events": messages}
            )
        )
    return events
