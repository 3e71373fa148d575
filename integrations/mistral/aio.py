"""One event loop per process that reads every backend stream of the process.

A blocking reader thread per stream costs a recv, a wake-up and a GIL hand-off for every token,
on every stream at once: at a token per event that was most of the worker's CPU (py-spy saw only
60% of it in Python; the rest was the kernel side of a hundred threads taking turns). On one loop,
one `epoll` wake-up serves every socket that has bytes, and the reading costs what the bench's
floor reader costs. The turn's own thread still opens the stream (so retries and their notices
stay where they are) by running the opening coroutine here and waiting for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")
# A consumer that is behind says so (None); the pump tries again after this long.
FULL_RETRY_S = 0.005
# Closing a stream cancels its reader and waits for the response to close: seconds at worst.
CLOSE_TIMEOUT_S = 30.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def loop() -> asyncio.AbstractEventLoop:
    """The process's reading loop, started on first use on a daemon thread."""
    global _loop
    current = _loop
    if current is not None and not current.is_closed():
        return current
    with _lock:
        if _loop is None or _loop.is_closed():
            started = asyncio.new_event_loop()
            thread = threading.Thread(
                target=started.run_forever, name="backend-streams", daemon=True
            )
            thread.start()
            _loop = started
        return _loop


def run(coroutine: Awaitable[T], timeout: float | None = None) -> T:
    """Run a coroutine on the reading loop and wait for its result (or its exception); after
    `timeout` seconds it is cancelled and TimeoutError raised, so a wedged loop fails the turn
    instead of holding its worker thread for good."""
    future = asyncio.run_coroutine_threadsafe(coroutine, loop())  # type: ignore[arg-type]
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"the backend stream loop did not answer within {timeout:g} s") from None


async def _load_stream_machinery() -> None:
    import anyio

    anyio.Event()  # loads anyio's asyncio back end, which the HTTP client's first stream needs


def warm(timeout: float = 30.0) -> None:
    """Start the loop and load what its first stream would load: on a worker that has no
    compiled bytecode that import alone took most of a second of the first turns' CPU."""
    run(_load_stream_machinery(), timeout)


class LoopStream:
    """An opened async event stream (an async iterable of events, closed by `async with`), read
    on the loop into a consumer's `deliver(item)`.

    `deliver` runs on the loop's thread and must not block: it gets each converted event, then
    any exception the stream raised (through `wrap_error`), then `None` at the end; it answers
    True (go on), False (stop reading: the stream is closed) or None (full: the pump offers the
    item again shortly).
    """

    def __init__(
        self, stream: Any, wrap_error: Callable[[Exception], Exception] = lambda exc: exc
    ) -> None:
        self.stream, self.wrap_error = stream, wrap_error
        self.task: asyncio.Task | None = None

    async def _pump(self, deliver: Callable[[Any], bool | None]) -> None:
        self.task = asyncio.current_task()
        gone = False  # the consumer stopped, or closed the stream from outside: no end for it
        try:
            async with self.stream as opened:
                async for event in opened:
                    if not await _offer(deliver, event):
                        gone = True
                        return
        except asyncio.CancelledError:
            gone = True
            raise
        except Exception as exc:  # handed to the consumer, which decides
            gone = not await _offer(deliver, self.wrap_error(exc))
        finally:
            if not gone:
                await _offer(deliver, None)

    def start(self, deliver: Callable[[Any], bool | None]) -> None:
        asyncio.run_coroutine_threadsafe(self._pump(deliver), loop())

    async def _shutdown(self) -> None:
        # The loop runs callbacks in order: a started pump has entered before this runs.
        task = self.task
        if task is None:
            await self.stream.close()
        elif not task.done():
            task.cancel()  # its `async with` closes the response
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def close(self) -> None:
        """Stop reading and close the HTTP stream (waits until it is closed)."""
        try:
            run(self._shutdown(), CLOSE_TIMEOUT_S)
        except Exception:  # a stream that fails to close must not fail the turn
            logger.warning("closing a backend stream failed", exc_info=True)


async def _offer(deliver: Callable[[Any], bool | None], item: Any) -> bool:
    while True:
        answer = deliver(item)
        if answer is not None:
            return answer
        await asyncio.sleep(FULL_RETRY_S)
