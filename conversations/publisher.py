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

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
MERGEABLE = "conversation.events"
MAX_DRAIN = 1000
_queue: queue.SimpleQueue[tuple[str, dict]] = queue.SimpleQueue()
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def _drain() -> dict[str, list[dict]]:
    by_group: dict[str, list[dict]] = defaultdict(list)
    taken = 0
    item: tuple[str, dict] | None = _queue.get()
    while item is not None:
        group, message = item
        pending = by_group[group]
        if pending and message["type"] == MERGEABLE and pending[-1]["type"] == MERGEABLE:
            pending[-1] = {"type": MERGEABLE, "events": pending[-1]["events"] + message["events"]}
        else:
            pending.append(message)
        taken += 1
        if taken >= MAX_DRAIN:
            break
        try:
            item = _queue.get_nowait()
        except queue.Empty:
            item = None
    return by_group


async def _send_in_order(layer, group: str, messages: list[dict]) -> None:
    for message in messages:
        try:
            await layer.group_send(group, message)
        except Exception:  # a lost publish is repaired by the clients' replay from the log
            logger.exception("publishing to %s failed", group)


def _run() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    layer = get_channel_layer()
    while True:
        batches = _drain()
        loop.run_until_complete(
            asyncio.gather(*(_send_in_order(layer, g, m) for g, m in batches.items()))
        )


def publish(group: str, message: dict) -> None:
    global _thread
    if _thread is None or not _thread.is_alive():
        with _thread_lock:
            if _thread is None or not _thread.is_alive():
                _thread = threading.Thread(target=_run, name="channel-publisher", daemon=True)
                _thread.start()
    _queue.put((group, message))
