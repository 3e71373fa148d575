"""Sockets' reads keep their thread's connection (Channels' wrapper opens and closes one per
read) but still drop a connection left unfit, and consumers handle messages without Channels'
connection sweep (a thread hop per live event)."""

import asyncio

import pytest
from django.db import connection, transaction

from conversations import socket_db
from conversations.consumers import FeedConsumer
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def one_request_connections(monkeypatch):
    """CONN_MAX_AGE = 0 (PostgreSQL's default): every connection is old at once."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


def _read() -> tuple[int, bool]:
    """Which thread, and whether a connection was already open there when the read began."""
    import threading

    was_open = connection.connection is not None
    Workspace.objects.exists()
    return threading.get_ident(), was_open


def _reads(read, times: int = 12) -> list[tuple[int, bool]]:
    async def scenario():
        return [await read(_read)() for _ in range(times)]

    return asyncio.run(scenario())


def test_a_thread_keeps_its_connection_from_one_read_to_the_next():
    results = _reads(socket_db.SocketRead)
    seen: set[int] = set()
    reused = 0
    for thread, was_open in results:
        if thread in seen:
            assert was_open, "a second read on a thread opened a new connection"
            reused += 1
        seen.add(thread)
    assert reused  # sequential reads share the executor's idle threads


def test_channels_wrapper_would_open_one_per_read():
    """What the module replaces: the same reads through Channels open a connection each."""
    from channels.db import DatabaseSyncToAsync

    results = _reads(lambda f: DatabaseSyncToAsync(f, thread_sensitive=False))
    assert not any(was_open for _, was_open in results)


def test_after_a_read_a_sound_connection_stays_and_an_unfit_one_is_closed():
    Workspace.objects.exists()
    socket_db._keep_or_close()
    assert connection.connection is not None  # CONN_MAX_AGE = 0 alone would have closed it
    transaction.set_autocommit(False)  # a read that left a transaction open
    Workspace.objects.exists()
    socket_db._keep_or_close()
    assert connection.connection is None
    assert connection.get_autocommit()


def test_consumers_handle_messages_without_channels_connection_sweep(monkeypatch):
    import channels.consumer

    sweeps = []

    async def sweep():
        sweeps.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", sweep)
    consumer = FeedConsumer()
    sent = []

    async def send_json(content, close=False):
        sent.append(content)

    consumer.send_json = send_json
    message = {"type": "feed.event", "kind": "conversation.status", "data": {}}
    asyncio.run(consumer.dispatch(message))
    assert sent == [{"type": "conversation.status", "data": {}}]
    assert sweeps == []
    with pytest.raises(ValueError, match="No handler for message type no.such"):
        asyncio.run(consumer.dispatch({"type": "no.such"}))
