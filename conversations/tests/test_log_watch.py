"""Sockets read the log only when they must: in-process consumers on the real Redis channel
layer, the log written by the real event-log writer (which publishes after each commit)."""

import asyncio
import json

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.routing import URLRouter

from conversations import eventlog, log_watch, selectors
from conversations.models import Conversation, Event
from conversations.publisher import conversation_group
from conversations.routing import websocket_urlpatterns
from tests.helpers import group_has_subscriber

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SOCKETS = 3


@pytest.fixture
def quiet(finance_graph):
    """A conversation no worker runs: only the test writes its log."""
    conversation = Conversation.objects.create(
        graph=finance_graph, entry_agent=finance_graph.entry_agent, backend="sandbox"
    )
    eventlog.append_events(conversation.pk, [("conversation.status", {"status": "running"})])
    return conversation


@pytest.fixture
def counted_reads(monkeypatch):
    """Every read of events a socket makes, and a watcher that looks often."""
    reads = []
    real = selectors.events_after

    def events_after(conversation, after, limit=1000):
        reads.append(after)
        return real(conversation, after, limit)

    monkeypatch.setattr(selectors, "events_after", events_after)
    watcher = log_watch.LogWatcher(interval=0.3)
    monkeypatch.setattr(log_watch, "watcher", watcher)
    return reads, watcher


class Socket(ApplicationCommunicator):
    """The consumer driven over ASGI messages in this process (`channels.testing` needs daphne)."""

    def __init__(self, path, user):
        scope = {"type": "websocket", "path": path, "headers": [], "query_string": b"",
                 "subprotocols": [], "user": user}  # fmt: skip
        super().__init__(URLRouter(websocket_urlpatterns), scope)

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        return (await self.receive_output(5))["type"] == "websocket.accept"

    async def receive_json_from(self, timeout):
        return json.loads((await self.receive_output(timeout))["text"])

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(5)


def _status(n):
    return ("conversation.status", {"status": "running" if n % 2 else "awaiting_input"})


def test_flowing_events_cost_no_reads_and_a_lost_publish_is_found(quiet, team, counted_reads):
    _, members = team
    reads, watcher = counted_reads

    async def scenario():
        sockets = []
        for _ in range(SOCKETS):
            socket = Socket(f"/ws/conversations/{quiet.pk}/", members["viewer"])
            assert await socket.connect()
            assert (await socket.receive_json_from(5))["seq"] == 1  # the replay
            sockets.append(socket)
        group = conversation_group(quiet.pk)
        assert await asyncio.to_thread(group_has_subscriber, group)
        replays = len(reads)
        # Events flow for longer than several watch intervals: nobody reads the log.
        for n in range(2, 52):
            await asyncio.to_thread(eventlog.append_events, quiet.pk, [_status(n)])
            for socket in sockets:
                assert (await socket.receive_json_from(5))["seq"] == n
            await asyncio.sleep(0.05)
        assert len(reads) == replays, "a socket read the log while its events flowed"
        assert watcher.looks >= 3  # one query per look, for every socket of the process

        # A write whose publish is lost (as while Redis restarts): the watcher finds it.
        def unpublished():
            Event.objects.create(conversation=quiet, seq=52, type="conversation.status",
                                 data={"status": "completed"})  # fmt: skip
            Conversation.objects.filter(pk=quiet.pk).update(last_seq=52)

        await asyncio.to_thread(unpublished)
        for socket in sockets:
            message = await socket.receive_json_from(5)
            assert message["seq"] == 52 and message["data"] == {"status": "completed"}
        for socket in sockets:
            await socket.disconnect()
        assert watcher.followers == {}

    asyncio.run(scenario())
