"""Group commit for the worker: every running turn hands its buffered events and entries to one
thread per process, which writes all of them in a single transaction every few milliseconds.

A hundred streaming turns would otherwise each commit dozens of small transactions a second.
Seqs stay gap-free and ordered per conversation (allocated with the row lock, as everywhere),
and each conversation's events are published after the commit, as one message.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from conversations import publisher
from conversations.events import CONVERSATION_EVENT, _allocate, conversation_group
from conversations.models import Conversation, Entry, Event

logger = logging.getLogger(__name__)
COLLECT_S = 0.005  # after the first batch, wait this long for others to join the commit
MAX_BATCHES = 2000
ENTRY_FIELDS = ["text", "data", "agent"]


@dataclass
class Batch:
    conversation_id: UUID
    events: list[tuple[str, dict[str, Any]]]
    entries: list[Entry]  # snapshots, safe to write from another thread
    conversation_fields: dict[str, Any]
    done: threading.Event | None = None
    error: BaseException | None = None
    cancel_requested: bool = False


_queue: queue.SimpleQueue[Batch] = queue.SimpleQueue()
_thread: threading.Thread | None = None
_lock = threading.Lock()


def submit(batch: Batch, *, wait: bool = False, timeout: float = 60.0) -> Batch:
    """Queue a batch; with `wait`, block until it (and everything queued before it) is written."""
    global _thread
    if _thread is None or not _thread.is_alive():
        with _lock:
            if _thread is None or not _thread.is_alive():
                _thread = threading.Thread(target=_run, name="event-flusher", daemon=True)
                _thread.start()
    if wait:
        batch.done = threading.Event()
    _queue.put(batch)
    if wait:
        if not batch.done.wait(timeout):
            raise TimeoutError("the event log writer did not answer in time")
        if batch.error is not None:
            raise batch.error
    return batch


def _collect() -> list[Batch]:
    batches = [_queue.get()]
    deadline = time.monotonic() + COLLECT_S
    while len(batches) < MAX_BATCHES:
        remaining = deadline - time.monotonic()
        try:
            batches.append(_queue.get(timeout=remaining) if remaining > 0 else _queue.get_nowait())
        except queue.Empty:
            break
    return batches


def _write(batches: list[Batch]) -> None:
    """One transaction for all batches; per conversation in the order they were queued."""
    by_conversation: dict[UUID, list[Batch]] = {}
    for batch in batches:
        by_conversation.setdefault(batch.conversation_id, []).append(batch)
    published: list[tuple[UUID, list[dict]]] = []
    with transaction.atomic():
        events: list[Event] = []
        entries: dict[UUID, Entry] = {}
        # Row locks always in the same order, so two writers never wait on each other in a cycle.
        for conversation_id, group in sorted(by_conversation.items(), key=lambda kv: str(kv[0])):
            items = [item for batch in group for item in batch.events]
            cancel = False
            if items:
                last_seq, cancel = _allocate(conversation_id, len(items))
                first = len(events)
                events += [
                    Event(conversation_id=conversation_id, seq=last_seq + i, type=kind, data=data)
                    for i, (kind, data) in enumerate(items, start=1)
                ]
                published.append((conversation_id, events[first:]))
            fields: dict[str, Any] = {}
            for batch in group:
                batch.cancel_requested = cancel
                fields.update(batch.conversation_fields)
                entries.update({entry.pk: entry for entry in batch.entries})
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
        messages = [(cid, [event.as_message() for event in evs]) for cid, evs in published]
        transaction.on_commit(lambda: _publish(messages))


def _publish(messages: list[tuple[UUID, list[dict]]]) -> None:
    for conversation_id, events in messages:
        publisher.publish(
            conversation_group(conversation_id), {"type": CONVERSATION_EVENT, "events": events}
        )


def _run() -> None:
    while True:
        batches = _collect()
        try:
            _write(batches)
            outcome: list[tuple[list[Batch], BaseException | None]] = [(batches, None)]
        except Exception:
            logger.exception(
                "group commit of %d batches failed; writing them one by one", len(batches)
            )
            connection.close()
            outcome = []
            for batch in batches:  # one bad conversation must not sink the others
                try:
                    _write([batch])
                    outcome.append(([batch], None))
                except Exception as exc:
                    connection.close()
                    outcome.append(([batch], exc))
        for group, error in outcome:
            for batch in group:
                batch.error = error
                if batch.done is not None:
                    batch.done.set()
        # The connection stays open between commits (dozens a second); a broken one is closed
        # above and reopened by the next write.
