"""The whole pipe: a task run by a real worker process over the real Redis broker publishes to a
channel group, and a WebSocket client connected to the real ASGI server receives it."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest
import websockets

from agentstudio.tasks import broadcast_notice

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


async def _receive_after_enqueue(ws_url: str, token: str, message: str) -> dict:
    async with websockets.connect(
        f"{ws_url}/ws/system/", additional_headers={"Authorization": f"Token {token}"}
    ) as ws:
        # The group_add happens before accept(), so once connected the socket is subscribed.
        await asyncio.to_thread(broadcast_notice.delay, message)
        return json.loads(await asyncio.wait_for(ws.recv(), timeout=20))


def test_worker_task_reaches_websocket_client(
    asgi_server, celery_worker_process, make_user, token_for
):
    staff = make_user(is_staff=True)
    received = asyncio.run(_receive_after_enqueue(asgi_server.ws_url, token_for(staff), "hello"))
    assert received == {"type": "system.notice", "data": {"message": "hello"}}
    assert "broadcast_notice" in celery_worker_process.log_text()


async def _close_code(ws_url: str, **kwargs) -> int | None:
    try:
        async with websockets.connect(f"{ws_url}/ws/system/", **kwargs) as ws:
            await asyncio.wait_for(ws.recv(), timeout=5)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except websockets.InvalidStatus as refused:
        return refused.response.status_code
    return None


def test_websocket_refuses_anonymous_non_staff_and_foreign_origin(
    asgi_server, make_user, token_for
):
    member = make_user()
    staff = make_user(is_staff=True)
    assert asyncio.run(_close_code(asgi_server.ws_url)) == 4403
    assert (
        asyncio.run(
            _close_code(
                asgi_server.ws_url,
                additional_headers={"Authorization": f"Token {token_for(member)}"},
            )
        )
        == 4403
    )
    # A browser page on another site cannot ride on the user's credentials.
    assert (
        asyncio.run(
            _close_code(
                asgi_server.ws_url,
                origin="http://evil.example",
                additional_headers={"Authorization": f"Token {token_for(staff)}"},
            )
        )
        == 403
    )


def test_healthz_all_ok_with_worker(asgi_server, celery_worker_process):
    try:
        with urllib.request.urlopen(f"{asgi_server.url}/healthz", timeout=20) as response:
            status, body = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, body = error.code, json.loads(error.read())
    assert (status, body) == (
        200,
        {
            "database": "ok",
            "redis": "ok",
            "channel_layer": "ok",
            "worker": "ok",
            "backend": "sandbox",
        },
    )
