"""Backend streams are read on the process's one stream loop (`integrations.mistral.aio`), through
the real SDK over HTTP against the sandbox: every stream on the same thread, a full consumer
holding the stream back without losing an event, close stopping the read and the connection,
a cut stream ending as a backend error, and retries still waited on the caller's thread."""

from __future__ import annotations

import threading
import time

import pytest
from mistralai.client import Mistral

from integrations.mistral import aio, backend
from tests.helpers import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]


@pytest.fixture
def remote_agent(asgi_server, settings) -> str:
    settings.MISTRAL_API_KEY = ""
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_BASE_URL = f"{asgi_server.url}/sandbox"
    sdk = Mistral(api_key=settings.SANDBOX_API_KEY, server_url=settings.SANDBOX_BASE_URL)
    return sdk.beta.agents.create(model="mistral-medium-latest", name="streamer").id


class Consumer:
    """What `stream_into` gives the loop: records each item, the thread it came on, and can
    refuse items (full) or stop."""

    def __init__(self, full_every_other: bool = False, stop_after: int | None = None):
        self.items: list = []
        self.threads: set[str] = set()
        self.offers = 0
        self.full_every_other, self.stop_after = full_every_other, stop_after
        self.ended = threading.Event()

    def __call__(self, item) -> bool | None:
        self.threads.add(threading.current_thread().name)
        self.offers += 1
        if self.full_every_other and self.offers % 2:
            return None  # full: the pump must offer the same item again
        self.items.append(item)
        if item is None:
            self.ended.set()
        return self.stop_after is None or len(self.items) < self.stop_after

    @property
    def types(self) -> list[str]:
        return [item.type for item in self.items if isinstance(item, backend.StreamEvent)]


def _open(agent: str, **metadata):
    return backend.conversation_stream(
        remote_conversation_id="",
        agent_id=agent,
        inputs="Hello, who are you?",
        handoff_execution="server",
        metadata={"sandbox_delay_ms": 0, **metadata},
    )


def _read(agent: str, consumer: Consumer, **metadata) -> Consumer:
    with _open(agent, **metadata) as stream:
        stream.start(consumer)
        assert consumer.ended.wait(30), consumer.items
    return consumer


def test_every_stream_of_the_process_is_read_on_the_one_loop_thread(remote_agent):
    consumers = [Consumer() for _ in range(3)]
    threads = [threading.Thread(target=_read, args=(remote_agent, c)) for c in consumers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for consumer in consumers:
        assert consumer.threads == {"backend-streams"}
        assert consumer.types[0] == "conversation.response.started"
        assert consumer.types[-1] == "conversation.response.done"
        assert "message.output.delta" in consumer.types
        assert consumer.items[-1] is None  # the end, after every event
        assert consumer.types == consumers[0].types  # the sandbox answers alike
    assert [t.name for t in threading.enumerate()].count("backend-streams") == 1


def test_a_full_consumer_holds_the_stream_back_and_loses_nothing(remote_agent):
    plain = _read(remote_agent, Consumer())
    held = _read(remote_agent, Consumer(full_every_other=True))
    assert held.offers == 2 * len(held.items)  # every item refused once, then taken once
    assert held.types == plain.types
    texts = [[i.data.get("content") for i in c.items[:-1]] for c in (plain, held)]
    assert texts[0] == texts[1]


def test_close_stops_the_read_and_closes_the_connection(remote_agent):
    consumer = Consumer()
    with _open(remote_agent, sandbox_delay_ms=300) as stream:
        stream.start(consumer)
        wait_for(lambda: consumer.items, what="the first event")
    assert stream.stream.response.is_closed
    seen = len(consumer.items)
    assert not consumer.ended.is_set()  # closed from outside: no end is delivered
    assert stream.task is not None and stream.task.done()  # close waits for the pump to end
    assert len(consumer.items) == seen and consumer.types[-1] != "conversation.response.done"


def test_a_consumer_that_stops_closes_the_stream(remote_agent):
    consumer = Consumer(stop_after=2)
    with _open(remote_agent, sandbox_delay_ms=300) as stream:
        stream.start(consumer)
        wait_for(lambda: stream.task is not None and stream.task.done(), what="the pump ended")
        assert stream.stream.response.is_closed
        assert len(consumer.items) == 2  # nothing offered after the consumer said stop


def test_closing_an_unstarted_stream_closes_its_connection(remote_agent):
    with _open(remote_agent) as stream:
        assert not stream.stream.response.is_closed
    assert stream.stream.response.is_closed


def test_a_cut_stream_ends_in_a_backend_error_then_the_end(remote_agent):
    consumer = _read(remote_agent, Consumer(), sandbox_fault="stream_cut")
    *events, error, end = consumer.items
    assert end is None
    assert isinstance(error, backend.BackendError), error
    assert "could not be reached" in str(error) or "failed" in str(error)
    assert events and "conversation.response.done" not in consumer.types


def test_retries_to_open_are_waited_on_the_callers_thread(remote_agent):
    heard: list[tuple[int, str]] = []

    def on_retry(notice) -> bool:
        heard.append((notice.attempt, threading.current_thread().name))
        return True

    consumer = Consumer()
    metadata = {
        "sandbox_delay_ms": 0,
        "sandbox_fault": "rate_limit",
        "sandbox_fault_times": 1,
        "sandbox_retry_after": 1,
        "sandbox_fault_key": f"loop-{time.monotonic_ns()}",
    }
    stream_cm = backend.conversation_stream(
        remote_conversation_id="",
        agent_id=remote_agent,
        inputs="Hello",
        handoff_execution="server",
        metadata=metadata,
        on_retry=on_retry,
    )
    with stream_cm as stream:
        stream.start(consumer)
        assert consumer.ended.wait(30)
    assert heard == [(1, threading.current_thread().name)]
    assert consumer.types[-1] == "conversation.response.done"


def test_the_loop_runs_a_coroutine_and_raises_its_error():
    async def fail():
        raise ValueError("from the loop")

    with pytest.raises(ValueError, match="from the loop"):
        aio.run(fail())
    assert aio.loop() is aio.loop()


@pytest.mark.django_db(transaction=False)
def test_a_wait_on_the_loop_gives_up_after_its_timeout_and_cancels_the_work():
    import asyncio

    cancelled = threading.Event()

    async def forever():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(TimeoutError, match="did not answer within 0.05 s"):
        aio.run(forever(), 0.05)
    assert cancelled.wait(5)
    assert aio.run(asyncio.sleep(0, result="still serving"), 5) == "still serving"


def test_warming_starts_the_loop_and_loads_the_async_back_end_the_first_stream_needs():
    """In a fresh process (as a worker is when it becomes ready), nothing loaded beforehand."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "from integrations.mistral import aio\n"
        "assert 'anyio._backends._asyncio' not in sys.modules\n"
        "aio.warm()\n"
        "assert 'anyio._backends._asyncio' in sys.modules\n"
        "assert aio.loop().is_running()\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=root
    )
    assert done.returncode == 0, done.stderr
