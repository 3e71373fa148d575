"""The run socket over the real ASGI server: access, origin, and replay-then-live of a run that
is really running on a worker, every seq exactly once and in order."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from orchestrations.tests.runs import events, make, start, wait_run

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


async def _close_code(url, **kwargs):
    try:
        async with websockets.connect(url, **kwargs) as ws:
            await asyncio.wait_for(ws.recv(), timeout=5)
            return "open"
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except websockets.InvalidStatus as refused:
        return refused.response.status_code


def _auth(token):
    return {"additional_headers": {"Authorization": f"Token {token}"}}


async def _until_final(url, token, timeout=60) -> list[dict]:
    received = []
    async with websockets.connect(url, **_auth(token)) as ws:
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await ws.recv())
                received.append(message)
                if message["type"] == "run.status" and message["data"]["status"] in {
                    "completed",
                    "failed",
                    "cancelled",
                }:
                    return received


def test_run_socket_access_and_live_events(
    guide_graph, team, api_for, token_for, asgi_server, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    spec = {
        "sequence": [
            {"agent": "Research Agent", "metadata": {"sandbox_delay_ms": 30}},
            {"agent": "Report Agent"},
        ]
    }
    run_id = start(api, make(guide_graph, members["admin"], spec), "Solar power")
    url = f"{asgi_server.ws_url}/ws/orchestration-runs/{run_id}/"
    assert asyncio.run(_close_code(url)) == 4403
    assert asyncio.run(_close_code(url, **_auth(token_for(members["outsider"])))) == 4403
    bad = f"{asgi_server.ws_url}/ws/orchestration-runs/not-a-uuid/"
    assert asyncio.run(_close_code(bad, **_auth(token_for(members["viewer"])))) == 4403
    foreign = asyncio.run(
        _close_code(url, origin="http://evil.example", **_auth(token_for(members["viewer"])))
    )
    assert foreign == 403

    received = asyncio.run(_until_final(f"{url}?after=0", token_for(members["viewer"])))
    assert [m["seq"] for m in received] == list(range(1, len(received) + 1))
    assert wait_run(api, run_id)["status"] == "completed"
    assert received == events(api, run_id)
    # Reconnecting from a seq replays only what came after it.
    later = asyncio.run(_until_final(f"{url}?after=3", token_for(members["viewer"])))
    assert [m["seq"] for m in later] == list(range(4, len(received) + 1))
