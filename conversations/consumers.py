"""WebSockets: a conversation's event log (replayed from `after`, then live) and the workspace feed.

Consumers authenticate, subscribe and forward. Live messages may arrive out of order or twice
(several processes publish, and replay overlaps live): each socket sends every seq exactly once,
in order, filling any gap from the log. A socket reads the log only to replay, to fill a gap, or
when the process's watcher (`log_watch`) finds it quiet and behind: never while events flow.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conversations import log_watch, selectors
from conversations.publisher import conversation_group, workspace_group
from conversations.socket_db import NoConnectionSweep, db

FORBIDDEN = 4403
REPLAY_BATCH = 500
# `db`: read-only queries, so they need not queue on Channels' single thread-sensitive thread
# (a hundred sockets connecting at once replay in parallel), each thread keeping its connection.


class ConversationConsumer(NoConnectionSweep, AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.group = None
        self.watched = False
        self.sending = asyncio.Lock()
        self.last_delivery = asyncio.get_running_loop().time()
        try:
            query = parse_qs(self.scope.get("query_string", b"").decode())
            self.last_seq = max(0, int((query.get("after") or ["0"])[0]))
            self.conversation = await db(selectors.conversation_get_for_user)(
                user, self.scope["url_route"]["kwargs"]["pk"]
            )
        except (Http404, PermissionDenied, ValueError):
            # Accept first so the client reads the close code instead of a bare HTTP 403.
            await self.accept()
            await self.close(code=FORBIDDEN)
            return
        self.group = conversation_group(self.conversation.pk)
        # Subscribe before reading the log: whatever is published meanwhile is queued for us
        # and de-duplicated by seq after the replay.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        async with self.sending:
            await self._replay_until(None)
        self.conversation_key = str(self.conversation.pk)
        log_watch.watcher.follow(self)
        self.watched = True

    async def disconnect(self, code):
        if self.watched:
            log_watch.watcher.unfollow(self)
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def catch_up(self) -> None:
        """The watcher saw the log ahead of this quiet socket (a lost publish): read the rest."""
        async with self.sending:
            await self._replay_until(None)

    async def _events_after(self, after: int, limit: int) -> list[dict]:
        def read() -> list[dict]:
            events = selectors.events_after(self.conversation, after, limit)
            return [event.as_message() for event in events]

        return await db(read)()

    async def _deliver(self, messages: list[dict]) -> None:
        for message in messages:
            if message["seq"] <= self.last_seq:
                continue  # already sent, by the replay or an earlier message
            await self.send_json(message)
            self.last_seq = message["seq"]
            self.last_delivery = asyncio.get_running_loop().time()

    async def _replay_until(self, upto: int | None) -> None:
        """Send logged events after last_seq (up to `upto`, or all). Holds `sending`."""
        while upto is None or self.last_seq < upto:
            batch = await self._events_after(self.last_seq, REPLAY_BATCH)
            if upto is not None:
                batch = [message for message in batch if message["seq"] <= upto]
            if not batch:
                return
            await self._deliver(batch)
            if len(batch) < REPLAY_BATCH:
                return

    async def conversation_events(self, event):
        async with self.sending:
            for message in event["events"]:
                if message["seq"] > self.last_seq + 1:
                    # Committed before this one, its message not here (yet): fill from the log.
                    await self._replay_until(message["seq"] - 1)
                await self._deliver([message])

    async def receive_json(self, content, **kwargs):
        # The socket is read-only; commands go through the REST API (and its services).
        pass


class FeedConsumer(NoConnectionSweep, AsyncJsonWebsocketConsumer):
    """Status changes and pending-action changes for every workspace the user belongs to."""

    async def connect(self):
        user = self.scope.get("user")
        self.groups_joined: list[str] = []
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=FORBIDDEN)
            return
        workspace_ids = await db(selectors.user_can_see_workspace_ids)(user)
        for workspace_id in workspace_ids:
            group = workspace_group(workspace_id)
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def feed_event(self, event):
        await self.send_json({"type": event["kind"], "data": event["data"]})

    async def receive_json(self, content, **kwargs):
        pass
