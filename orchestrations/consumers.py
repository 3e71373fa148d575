"""WebSocket: a run's event log, replayed from `after` and then live.

The delivery (subscribe first, replay, de-duplicate and fill gaps by seq) is the conversation
socket's; only what is read and which group is joined differ. A run's log is a few events per step,
so instead of the conversations' per-process watcher a quiet run socket looks at its log itself
every WATCH_S, for a last message lost to the channel layer.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from django.core.exceptions import PermissionDenied
from django.http import Http404

from conversations.consumers import FORBIDDEN, ConversationConsumer, db
from orchestrations import selectors
from orchestrations.eventlog import run_group

WATCH_S = 2.0


class RunConsumer(ConversationConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.group = None
        self.watched = False  # the conversations' log watcher does not follow run sockets
        self.poller: asyncio.Task | None = None
        self.sending = asyncio.Lock()
        self.last_delivery = asyncio.get_running_loop().time()
        try:
            query = parse_qs(self.scope.get("query_string", b"").decode())
            self.last_seq = max(0, int((query.get("after") or ["0"])[0]))
            self.run = await db(selectors.run_get_for_user)(
                user, self.scope["url_route"]["kwargs"]["pk"]
            )
        except (Http404, PermissionDenied, ValueError):
            await self.accept()
            await self.close(code=FORBIDDEN)
            return
        self.group = run_group(self.run.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        async with self.sending:
            await self._replay_until(None)
        self.poller = asyncio.create_task(self._watch())

    async def disconnect(self, code):
        if self.poller is not None:
            self.poller.cancel()
        await super().disconnect(code)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(WATCH_S)
            if loop.time() - self.last_delivery >= WATCH_S:
                await self.catch_up()

    async def _events_after(self, after: int, limit: int) -> list[dict]:
        def read() -> list[dict]:
            return [e.as_message() for e in selectors.run_events_after(self.run, after, limit)]

        return await db(read)()
