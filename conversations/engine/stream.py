"""Reading the backend's stream into a recorder, in batches, with the cancel flag honoured."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from django.conf import settings

from conversations.deltas import DELTA_TYPES
from conversations.engine.recorder import TurnRecorder
from integrations.mistral import backend

# Events are written in small batches: at most this long after the first one of a batch.
FLUSH_WINDOW_S = 0.01
# A batch of nothing but deltas waits longer, so the deltas of one entry that arrive within it
# become one event: the event rate is bounded by this window, not by the backend's token rate.
DELTA_WINDOW_S = settings.EVENT_DELTA_WINDOW_MS / 1000
FLUSH_MAX_EVENTS = 64
DROPPED_STREAM = (
    "The backend's stream ended before the turn was complete (the connection dropped). "
    "Send a message to try again."
)


def stream_into(recorder: TurnRecorder, stream_events: Iterator[backend.StreamEvent]) -> None:
    """Read the stream in a thread so batches are written on time even when the stream pauses."""
    inbox: queue.Queue = queue.Queue(maxsize=1000)
    stop = threading.Event()
    END = object()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                inbox.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False  # the turn is over: drop it and let the stream close

    def read() -> None:
        try:
            for event in stream_events:
                if not hand_over(event):
                    break
        except Exception as exc:  # handed to the main loop, which decides
            hand_over(exc)
        finally:
            try:
                stream_events.close()  # closes the HTTP stream, even when we left early
            finally:
                hand_over(END)

    reader = threading.Thread(target=read, name=f"turn-{recorder.turn.pk}", daemon=True)
    reader.start()
    deadline: float | None = None
    try:
        while True:
            timeout = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = inbox.get(timeout=timeout)
            except queue.Empty:
                recorder.flush()
                deadline = None
                if recorder.cancelled:
                    return
                continue
            if item is END:
                return
            if isinstance(item, Exception):
                raise backend.BackendError(f"{DROPPED_STREAM} Detail: {item}") from item
            recorder.add(item.type, item.data)
            window = DELTA_WINDOW_S if item.type in DELTA_TYPES else FLUSH_WINDOW_S
            now = time.monotonic()
            deadline = now + window if deadline is None else min(deadline, now + window)
            if len(recorder.buffer) >= FLUSH_MAX_EVENTS or time.monotonic() >= deadline:
                recorder.flush()
                deadline = None
                if recorder.cancelled:
                    return
    finally:
        stop.set()
        recorder.flush(final=True)
