"""Fire-and-forget publishing to the channel layer from synchronous code (worker, views).

One daemon thread per process owns an event loop and the channel layer's Redis connections.
Under load it drains everything queued, merges consecutive event batches bound for the same
conversation into one message, and sends to different groups concurrently, while keeping each
group's messages in the order they were queued.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import defaultdict
from uuid import UUID

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
# The channel-layer message types the consumers handle.
CONVERSATION_EVENT = "conversation.events"
FEED_EVENT = "feed.event"
MAX_DRAIN = 1000


def conversation_group(conversation_id: UUID | str) -> str:
    return f"conversation.{conversation_id}"


def workspace_group(workspace_id: UUID | str) -> str:
    return f"workspace.{workspace_id}"


class Publisher:
    """A queue and the thread that empties it. The process has one (`publish`); a test makes its
    own, so the process's thread, started by any earlier test, never drains the test's queue."""

    def __init__(self, *, max_drain: int = MAX_DRAIN) -> None:
        self.queue: queue.SimpleQueue[tuple[str, dict]] = queue.SimpleQueue()
        self.max_drain = max_drain
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def publish(self, group: str, message: dict) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="channel-publisher", daemon=True
                    )
                    self._thread.start()
        self.queue.put((group, message))

    def drain(self) -> dict[str, list[dict]]:
        """Block for one message, then take what else is queued (up to `max_drain`), by group."""
        by_group: dict[str, list[dict]] = defaultdict(list)
        taken = 0
        item: tuple[str, dict] | None = self.queue.get()
        while item is not None:
            group, message = item
            pending = by_group[group]
            if (
                pending
                and message["type"] == CONVERSATION_EVENT
                and pending[-1]["type"] == CONVERSATION_EVENT
            ):
                merged = pending[-1]["events"] + message["events"]
                pending[-1] = {"type": CONVERSATION_EVENT, "events": merged}
            else:
                pending.append(message)
            taken += 1
            if taken >= self.max_drain:
                break
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                item = None
        return by_group

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        layer = get_channel_layer()
        while True:
            batches = self.drain()
            loop.run_until_complete(
                asyncio.gather(*(_send_in_order(layer, g, m) for g, m in batches.items()))
            )


async def _send_in_order(layer, group: str, messages: list[dict]) -> None:
    for message in messages:
        try:
            await layer.group_send(group, message)
        except Exception:  # a lost publish is repaired by the clients' replay from the log
            logger.exception("publishing to %s failed", group)


_process_publisher = Publisher()


def publish(group: str, message: dict) -> None:
    """Queue a message for the channel layer; this process's publisher thread sends it."""
    _process_publisher.publish(group, message)
