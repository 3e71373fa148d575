"""Database reads for WebSocket consumers, without a connection opened and closed per read.

Channels' `database_sync_to_async` closes the thread's connections before and after every call,
and with `CONN_MAX_AGE = 0` every connection counts as old: a socket's token lookup, access check
and replay each opened a connection of their own, and Channels added a thread hop to close them
before every message a consumer handles. On the web process that was a sixth of its CPU while
events streamed. These reads are short autocommit reads on the default executor's long-lived
threads, so each thread keeps its connection between them: closed when it broke or was left in
a transaction, as Django closes any connection, never merely for its age.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import SyncToAsync
from channels.consumer import get_handler_name
from django.db import connections


def _keep_or_close() -> None:
    for conn in connections.all(initialized_only=True):
        conn.close_at = None  # the age limit is for requests; see the module's docstring
        conn.close_if_unusable_or_obsolete()


class SocketRead(SyncToAsync):
    """`SocketRead(read)(*args)`: run a read-only function on the default executor, keeping
    the thread's connection (`_keep_or_close`) instead of closing it."""

    def __init__(self, func: Callable[..., Any]) -> None:
        super().__init__(func, thread_sensitive=False)

    def thread_handler(self, loop, *args, **kwargs):
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _keep_or_close()


db = SocketRead


class NoConnectionSweep:
    """A consumer mixin: dispatch without Channels' `aclose_old_connections` before each message
    (a thread hop per live event). Every read of these consumers goes through `SocketRead`,
    which looks after its own connection."""

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
