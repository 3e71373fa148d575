"""The safety net under live delivery: one look at the log per web process, not one per socket.

The channel layer is fire-and-forget: a publish lost while Redis restarts, or the last message of
a turn dropped, would leave a socket waiting forever. A gap in seqs is noticed by the next message
(the consumer fills it from the log); only a socket that has gone quiet while behind needs the
log's help. So every WATCH_S, one query reads the last seq of every conversation that sockets of
this process follow, and only a socket that is behind and has received nothing for a whole
interval reads events; a socket whose events flow costs no query at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from conversations import selectors
from conversations.socket_db import db

logger = logging.getLogger(__name__)
WATCH_S = 2.0


class Follower(Protocol):
    conversation_key: str
    last_seq: int
    last_delivery: float

    def catch_up(self) -> Awaitable[None]: ...


class LogWatcher:
    def __init__(
        self,
        interval: float = WATCH_S,
        read: Callable[[list[str]], dict[str, int]] = selectors.last_seqs,
    ) -> None:
        self.interval = interval
        self.read = read
        self.followers: dict[str, set[Follower]] = {}
        self.task: asyncio.Task | None = None
        self.looks = 0  # for tests: how many times the log was read

    def follow(self, follower: Follower) -> None:
        self.followers.setdefault(follower.conversation_key, set()).add(follower)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._run())

    def unfollow(self, follower: Follower) -> None:
        followers = self.followers.get(follower.conversation_key)
        if followers is not None:
            followers.discard(follower)
            if not followers:
                del self.followers[follower.conversation_key]

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if not self.followers:
                continue
            try:
                await self.look()
            except Exception:  # the database may be away too; look again next time
                logger.warning("reading the log's last seqs failed", exc_info=True)

    async def look(self) -> None:
        last = await db(self.read)(list(self.followers))
        self.looks += 1
        now = asyncio.get_running_loop().time()
        for key, seq in last.items():
            for follower in list(self.followers.get(key, ())):
                if seq > follower.last_seq and now - follower.last_delivery >= self.interval:
                    asyncio.ensure_future(follower.catch_up())


watcher = LogWatcher()
