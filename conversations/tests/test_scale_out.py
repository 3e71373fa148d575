"""Scale-out on the engines we use: two ASGI processes and two Celery worker processes on one
database and one Redis. Sockets on either web process get every event of every conversation,
whichever worker ran it; the turns spread over both workers; nothing is lost."""

import asyncio
import json
import uuid

import pytest
import websockets

from conftest import start_asgi_server, start_worker, stop_process
from conversations.tests.conftest import Api
from conversations.tests.test_engine_flows import FINAL

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
CONVERSATIONS = 6


@pytest.fixture
def two_of_each(django_db_blocker, process_tmp):
    """Two web processes and two workers on a queue of their own (no other worker takes a turn).
    Each worker runs two turns at a time and reserves no more, so neither can take them all."""
    queue = f"scale-{uuid.uuid4().hex[:8]}"
    started = []
    with django_db_blocker.unblock():
        webs = [start_asgi_server(process_tmp, CELERY_QUEUE=queue) for _ in range(2)]
        started += [w.proc for w in webs]
        sandbox = f"{webs[0].url}/sandbox"
        workers = [
            start_worker(process_tmp, concurrency=2, CELERY_QUEUE=queue, SANDBOX_BASE_URL=sandbox)
            for _ in range(2)
        ]
        started += [w.proc for w in workers]
    yield webs, workers
    for proc in started:
        stop_process(proc)


async def _watch(url, token):
    got = []
    headers = {"Authorization": f"Token {token}"}
    async with websockets.connect(url, additional_headers=headers) as ws, asyncio.timeout(120):
        while True:
            got.append(json.loads(await ws.recv()))
            if got[-1]["type"] == "conversation.status" and got[-1]["data"]["status"] in FINAL:
                return got


def test_two_web_processes_and_two_workers_lose_nothing(
    two_of_each, finance_graph, team, token_for
):
    webs, workers = two_of_each
    _, members = team
    token = token_for(members["operator"])
    apis = [Api(web.url, token) for web in webs]
    metadata = {"sandbox_delay_ms": 30}
    ids = []
    for i in range(CONVERSATIONS):
        body = {"agent": str(finance_graph.entry_agent.pk), "inputs": "Hi", "metadata": metadata}
        code, body = apis[i % 2].post("/api/conversations/", body)
        assert code == 201, body
        ids.append(body["id"])

    async def watch_all():
        # Each conversation watched from both web processes at once.
        return await asyncio.gather(
            *(_watch(f"{web.ws_url}/ws/conversations/{cid}/?after=0", token)
              for cid in ids for web in webs)
        )  # fmt: skip

    seen = asyncio.run(watch_all())
    for index, cid in enumerate(ids):
        code, logged = apis[index % 2].get(f"/api/conversations/{cid}/events/")
        assert code == 200
        assert [e["seq"] for e in logged] == list(range(1, len(logged) + 1))
        on_a, on_b = seen[2 * index], seen[2 * index + 1]
        assert on_a == on_b == logged
        assert logged[-1]["data"]["status"] == "completed"
    ran = [
        sum(
            "Task conversations.run_turn[" in line and line.endswith("] received")
            for line in worker.log_text().splitlines()
        )
        for worker in workers
    ]
    assert sum(ran) == CONVERSATIONS and min(ran) >= 1, ran
