"""`make run` end to end: /healthz answers all ok, and Ctrl-C leaves no process behind."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from agentstudio.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.integration


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    pending = [pid]
    while pending:
        out = subprocess.run(["pgrep", "-P", str(pending.pop())], capture_output=True, text=True)
        for child in map(int, out.stdout.split()):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose but the process table.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _healthz(url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.loads(response.read())
                if response.status == 200:
                    return body
        except urllib.error.HTTPError as error:
            last = error.read()
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"/healthz never became healthy: {last!r}")


@pytest.mark.parametrize("redis", ["embedded", "machine"])
def test_make_run_serves_healthy_and_ctrl_c_stops_everything(tmp_path, redis):
    port = free_port()
    env = dict(os.environ)
    for leftover in ("CELERY_QUEUE", "CHANNEL_LAYER_PREFIX", "DJANGO_SETTINGS_MODULE"):
        env.pop(leftover, None)
    env.update(
        AGENTSTUDIO_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'db.sqlite3'}",
        PORT=str(port),
        WORKER_CONCURRENCY="4",
        CELERY_QUEUE=f"launcher-{port}",
        CHANNEL_LAYER_PREFIX=f"launcher-{port}",
        MISTRAL_API_KEY="",
    )
    if redis == "embedded":
        env["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    launcher = subprocess.Popen(
        [sys.executable, "-m", "agentstudio.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = _healthz(f"http://127.0.0.1:{port}/healthz")
        assert body == {
            "database": "ok",
            "redis": "ok",
            "channel_layer": "ok",
            "worker": "ok",
            "backend": "sandbox",
        }
        children = _descendants(launcher.pid)
        assert len(children) >= 2  # at least the worker and the ASGI server
        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 0, output
    assert "Created the local admin account: admin / " in output
    if redis == "embedded":
        assert "started the embedded redis-server" in output
    else:
        assert "using Redis at" in output
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []
