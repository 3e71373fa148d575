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

from django.db import connection

from conversations.eventlog import LogWrite, write_group

logger = logging.getLogger(__name__)
COLLECT_S = 0.005  # after the first batch, wait this long for others to join the commit
MAX_BATCHES = 2000


@dataclass
class Batch(LogWrite):
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
    cancel = write_group(batches)
    for batch in batches:
        batch.cancel_requested = cancel[batch.conversation_id]


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
