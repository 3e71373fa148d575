"""The processes `make bench` starts (ASGI servers, Celery workers) and what it asks them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def uvicorn(port: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "agentstudio.asgi:application", "--host", "127.0.0.1",
         "--port", port, "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def celery_worker(index: int, concurrency: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "agentstudio", "worker", "--pool", "threads",
         "--concurrency", str(concurrency), "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle", "--hostname", f"bench{index}@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def turns_per_worker() -> dict[str, int]:
    """How many turns each worker ran (Celery's own counters), to show they were spread."""
    from agentstudio.celery import app

    stats = app.control.inspect(timeout=5).stats() or {}
    return {
        name.split("@")[0]: int(info.get("total", {}).get("conversations.run_turn", 0))
        for name, info in sorted(stats.items())
        if name.startswith("bench")  # other workers on the same broker answer the broadcast too
    }
