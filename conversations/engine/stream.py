"""Reading the backend's stream into a recorder, in batches, with the cancel flag honoured."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from django.conf import settings

from conversations.deltas import DELTA_TYPES
from conversations.engine.recorder import TurnRecorder
from integrations.mistral import backend
from integrations.mistral.aio import LoopStream

# Events are written in small batches: at most this long after the first one of a batch.
FLUSH_WINDOW_S = 0.01
# A batch of nothing but deltas waits longer, so the deltas of one entry that arrive within it
# become one event: the event rate is bounded by this window, not by the backend's token rate.
DELTA_WINDOW_S = settings.EVENT_DELTA_WINDOW_MS / 1000
FLUSH_MAX_EVENTS = 64
INBOX_MAX = 1000  # events read ahead of the turn's thread before the reader waits
DROPPED_STREAM = (
    "The backend's stream ended before the turn was complete (the connection dropped). "
    "Send a message to try again."
)


class _Inbox:
    """Events handed from the reading thread to the turn's thread. Appending costs a lock, not a
    wake-up: the turn's thread is woken only when it waits with no batch open (`idle`) and for
    events that must not wait for a delta window (anything but a delta); otherwise it wakes at
    its batch's deadline. A token-rate stream wakes it about once per window, not per token."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list = []
        self.idle = False
        self.wake = threading.Event()
        self.stop = threading.Event()

    def offer(self, item, *, urgent: bool) -> bool | None:
        """Hand over without waiting: True when taken, None when full (the turn's thread is
        behind), False when the turn is over and the stream should close."""
        if self.stop.is_set():
            return False
        with self.lock:
            full = len(self.items) >= INBOX_MAX
            if not full:
                self.items.append(item)
                urgent = urgent or self.idle
        if full or urgent:
            self.wake.set()  # when full: let the turn's thread catch up
        return None if full else True

    def put(self, item, *, urgent: bool) -> bool:
        """`offer`, waiting while the inbox is full (for a reader on its own thread)."""
        while (taken := self.offer(item, urgent=urgent)) is None:
            time.sleep(0.005)
        return taken

    def take(self, timeout: float, *, idle: bool) -> list:
        """What was handed over, after waiting up to `timeout` (less when woken)."""
        with self.lock:
            self.idle = idle
            ready = idle and bool(self.items)
        if not ready:
            self.wake.wait(timeout)
        self.wake.clear()
        with self.lock:
            items, self.items = self.items, []
            self.idle = False
        return items


_END = object()  # the stream is over


def _urgent(item) -> bool:
    """Anything but a delta must not wait for a delta window."""
    return item is _END or isinstance(item, Exception) or item.type not in DELTA_TYPES


def stream_into(
    recorder: TurnRecorder, stream_events: Iterator[backend.StreamEvent] | LoopStream
) -> None:
    """Read the stream apart from the turn's thread, so batches are written on time even when
    the stream pauses: a backend stream on the process's stream loop, any other iterator (the
    local runtime's) on a thread of its own."""
    inbox = _Inbox()

    def deliver(item) -> bool | None:  # on the stream loop: never blocks
        item = _END if item is None else item
        return inbox.offer(item, urgent=_urgent(item))

    def read() -> None:
        try:
            for event in stream_events:
                if not inbox.put(event, urgent=_urgent(event)):
                    break
        except Exception as exc:  # handed to the main loop, which decides
            inbox.put(exc, urgent=True)
        finally:
            try:
                stream_events.close()  # closes the HTTP stream, even when we left early
            finally:
                inbox.put(_END, urgent=True)

    if isinstance(stream_events, LoopStream):
        stream_events.start(deliver)
    else:
        name = f"turn-{recorder.turn.pk}"
        threading.Thread(target=read, name=name, daemon=True).start()
    deadline: float | None = None
    try:
        while True:
            timeout = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            items = inbox.take(timeout, idle=deadline is None)
            for item in items:
                if item is _END:
                    return
                if isinstance(item, Exception):
                    raise backend.BackendError(f"{DROPPED_STREAM} Detail: {item}") from item
                recorder.add(item.type, item.data)
                window = DELTA_WINDOW_S if item.type in DELTA_TYPES else FLUSH_WINDOW_S
                now = time.monotonic()
                deadline = now + window if deadline is None else min(deadline, now + window)
            due = deadline is not None and (
                time.monotonic() >= deadline or len(recorder.buffer) >= FLUSH_MAX_EVENTS
            )
            if due or (deadline is None and not items):  # a batch is due, or a quiet second
                recorder.flush()
                deadline = None
                if recorder.cancelled:
                    return
    finally:
        inbox.stop.set()
        recorder.flush(final=True)
