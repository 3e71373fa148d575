"""The checks behind /healthz: each returns "ok" or a short description of what failed."""

from __future__ import annotations

import uuid

import redis
from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers
from django.conf import settings
from django.db import connection

from agentstudio.backend import active_backend

WORKER_TIMEOUT_S = 3.0


def _error(exc: Exception) -> str:
    return f"error: {type(exc).__name__}: {exc}"[:300]


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:
        return _error(exc)


def check_redis() -> str:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        client.ping()
        return "ok"
    except Exception as exc:
        return _error(exc)


async def _channel_roundtrip() -> str:
    # A private layer instance: the check must not share receive state with live consumers.
    layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    try:
        channel = await layer.new_channel("healthz.")
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "healthz.ping", "token": token})
        message = await layer.receive(channel)
        return "ok" if message.get("token") == token else "error: wrong message received"
    finally:
        close = getattr(layer, "close_pools", None)
        if close is not None:
            await close()


def check_channel_layer() -> str:
    try:
        import asyncio

        return async_to_sync(asyncio.wait_for)(_channel_roundtrip(), timeout=3)
    except Exception as exc:
        return _error(exc)


def check_worker() -> str:
    from agentstudio.celery import ping

    try:
        result = ping.apply_async(
            expires=WORKER_TIMEOUT_S, queue=settings.CELERY_TASK_DEFAULT_QUEUE
        )
        answer = result.get(timeout=WORKER_TIMEOUT_S, disable_sync_subtasks=False)
        result.forget()
        return "ok" if answer == "pong" else f"error: unexpected answer {answer!r}"
    except Exception as exc:
        if type(exc).__name__ == "TimeoutError":
            return f"error: no worker answered within {WORKER_TIMEOUT_S:g}s"
        return _error(exc)


def run_checks() -> dict[str, str]:
    return {
        "database": check_database(),
        "redis": check_redis(),
        "channel_layer": check_channel_layer(),
        "worker": check_worker(),
        "backend": active_backend(),
    }


def all_ok(report: dict[str, str]) -> bool:
    return all(value == "ok" for key, value in report.items() if key != "backend")
