"""The checks behind /healthz: each returns "ok" or a short description of what failed.

They run concurrently, each with its own timeout, and the whole report is bounded by
TOTAL_TIMEOUT_S: a load balancer or `make run` polling /healthz gets an answer in time even when
Redis or the database hangs, and the answer names every part that failed.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable

import redis
from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers
from django.conf import settings
from django.db import connection

from integrations.mistral.backend import active_backend

PART_TIMEOUT_S = 2.4
# Above every part's own timeout, so a part that times out says so itself; below 3 s.
TOTAL_TIMEOUT_S = 2.8
WORKER_TIMEOUT_S = PART_TIMEOUT_S


def _error(exc: Exception) -> str:
    return f"error: {type(exc).__name__}: {exc}".strip()[:200]


def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=PART_TIMEOUT_S, socket_connect_timeout=PART_TIMEOUT_S
    )


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:
        return _error(exc)
    finally:
        # This runs in a thread of its own, which would otherwise keep its connection open.
        connection.close()


def check_redis() -> str:
    try:
        _redis_client(settings.REDIS_URL).ping()
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
        return async_to_sync(asyncio.wait_for)(_channel_roundtrip(), timeout=PART_TIMEOUT_S)
    except TimeoutError:
        return f"error: no answer within {PART_TIMEOUT_S:g}s"
    except Exception as exc:
        return _error(exc)


def check_worker() -> str:
    from agentstudio.celery import ping

    deadline = time.monotonic() + WORKER_TIMEOUT_S
    try:
        # Celery's result backend retries a dead Redis for ~20 s before it gives up (and then
        # wants the process restarted): ask the broker first, quickly.
        _redis_client(settings.CELERY_BROKER_URL).ping()
    except Exception as exc:
        return f"error: broker unreachable: {_error(exc).removeprefix('error: ')}"[:200]
    try:
        result = ping.apply_async(
            expires=WORKER_TIMEOUT_S, queue=settings.CELERY_TASK_DEFAULT_QUEUE, retry=False
        )
        try:
            # Polled, not result.get(timeout=...): that overshoots its timeout by up to 1 s.
            while not result.ready():
                if time.monotonic() >= deadline:
                    return f"error: no worker answered within {WORKER_TIMEOUT_S:g}s"
                time.sleep(0.05)
            answer = result.get(timeout=PART_TIMEOUT_S, disable_sync_subtasks=False)
        finally:
            result.forget()
        return "ok" if answer == "pong" else f"error: unexpected answer {answer!r}"
    except Exception as exc:
        return _error(exc)


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "channel_layer": check_channel_layer,
    "worker": check_worker,
}


def _concurrently(checks: dict[str, Callable[[], str]], timeout: float) -> dict[str, str]:
    results: dict[str, str] = {}

    def run(name: str, check: Callable[[], str]) -> None:
        results[name] = check()

    # Daemon threads, not a pool: a check stuck past the deadline is abandoned, never waited
    # for, and cannot hold up the next request or the server's shutdown.
    threads = [
        threading.Thread(target=run, args=item, name=f"healthz-{item[0]}", daemon=True)
        for item in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = f"error: no answer within {timeout:g}s"
    return {name: results.get(name, late) for name in checks}


def run_checks() -> dict[str, str]:
    return {**_concurrently(CHECKS, TOTAL_TIMEOUT_S), "backend": active_backend()}


def all_ok(report: dict[str, str]) -> bool:
    return all(value == "ok" for key, value in report.items() if key != "backend")
