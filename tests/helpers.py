"""Waiting in tests: for a condition, with a deadline, never for a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    predicate: Callable[[], T], *, timeout: float = 30, interval: float = 0.05, what: str = ""
) -> T:
    """Call `predicate` until it returns something truthy, and return that; fail after `timeout`
    seconds, saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout} s: {what or predicate}")
        time.sleep(interval)


def group_has_subscriber(group: str) -> bool:
    """Whether a socket of a live server process has joined this channel-layer group, so what is
    published to it now reaches that socket. The pub/sub channel layer subscribes one Redis
    channel per group, so Redis can tell."""
    from types import SimpleNamespace

    import redis
    from channels_redis.pubsub import RedisPubSubLoopLayer
    from django.conf import settings

    # The layer's own naming, without the event loop a layer instance needs.
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    name = RedisPubSubLoopLayer._get_group_channel_name(SimpleNamespace(prefix=prefix), group)
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        return client.pubsub_numsub(name)[0][1] > 0
