"""Requests' sync code runs on reused threads (asgiref alone starts one per request), one thread
per request in flight, and a request thread keeps its database connection when CONN_MAX_AGE
allows (a new thread could not)."""

import asyncio
import threading

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

from agentstudio.asgi_handler import PooledThreadASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(path: str = "/login/") -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def _request(handler, path: str = "/login/") -> int:
    sent: list[dict] = []
    body = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if body:
            return body.pop()
        await asyncio.Event().wait()  # no disconnect: Django cancels this wait when it is done

    async def send(message):
        sent.append(message)

    await handler(_scope(path), receive, send)
    return sent[0]["status"]


@pytest.fixture
def handler():
    """A handler whose request threads close their connections and end after the test."""
    made = PooledThreadASGIHandler()
    yield made
    for executor in made.idle:
        executor.submit(lambda: connection.close()).result()  # that thread's connection
        executor.shutdown()


@pytest.fixture
def seen():
    """The thread each request started on, and whether it found a connection already open."""
    records: list[tuple[int, bool]] = []

    def started(**kwargs):
        records.append((threading.get_ident(), connection.connection is not None))

    def finished(**kwargs):
        connection.ensure_connection()  # what any view's query does

    request_started.connect(started, dispatch_uid="test-asgi-handler-started")
    request_finished.connect(finished, dispatch_uid="test-asgi-handler-finished")
    yield records
    request_started.disconnect(dispatch_uid="test-asgi-handler-started")
    request_finished.disconnect(dispatch_uid="test-asgi-handler-finished")


def test_requests_one_after_another_share_one_thread_and_its_connection(handler, seen, monkeypatch):
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)

    async def scenario():
        return [await _request(handler) for _ in range(5)]

    assert asyncio.run(scenario()) == [200] * 5
    assert handler.created == 1
    assert len({thread for thread, _ in seen}) == 1
    assert [was_open for _, was_open in seen][1:] == [True] * 4


def test_requests_at_once_each_get_a_thread_and_give_it_back(handler, seen):
    async def scenario():
        return await asyncio.gather(*(_request(handler) for _ in range(4)))

    assert asyncio.run(scenario()) == [200] * 4
    assert handler.created == 4
    assert len(handler.idle) == 4
    assert len({thread for thread, _ in seen}) == 4


def test_other_scopes_are_refused_as_django_refuses_them(handler):
    async def scenario():
        await handler({"type": "websocket"}, None, None)

    with pytest.raises(ValueError, match="only handle ASGI/HTTP connections"):
        asyncio.run(scenario())
