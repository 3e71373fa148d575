"""Fire-and-forget publishing to the channel layer from synchronous code (worker, views).

One daemon thread per process owns an event loop and sends messages in the order they were
queued, so a conversation's events reach the channel layer in log order and the Redis
connections are reused instead of opened per message.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
_queue: queue.SimpleQueue[tuple[str, dict] | None] = queue.SimpleQueue()
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def _run() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    layer = get_channel_layer()
    while True:
        item = _queue.get()
        if item is None:
            break
        group, message = item
        try:
            loop.run_until_complete(layer.group_send(group, message))
        except Exception:  # a lost publish is repaired by the clients' replay from the log
            logger.exception("publishing to %s failed", group)


def publish(group: str, message: dict) -> None:
    global _thread
    if _thread is None or not _thread.is_alive():
        with _thread_lock:
            if _thread is None or not _thread.is_alive():
                _thread = threading.Thread(target=_run, name="channel-publisher", daemon=True)
                _thread.start()
    _queue.put((group, message))
