"""`make run`: migrate, create the local admin, load the demo, then run Redis (if needed), a Celery
worker and the ASGI server until Ctrl-C, which stops every process started here.

The children are supervised (agentstudio/supervisor.py): one that dies is restarted with a
backoff while the others keep running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from agentstudio.redis_server import DEFAULT_URL, redis_answers, start_embedded_redis
from agentstudio.supervisor import Backoff, Child, log, spawn

ROOT = Path(__file__).resolve().parent.parent
HEALTHY_WITHIN_S = 90


def manage(*args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    return (done.stdout or "").strip()


def has_command(name: str) -> bool:
    import django
    from django.core.management import get_commands

    django.setup()
    return name in get_commands()


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def worker_args(data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "--quiet",  # no banner: the launcher's own lines are what a person needs to see
        "-A",
        "agentstudio",
        "worker",
        "--beat",
        "--schedule",
        str(data_dir / "celerybeat-schedule"),
        "--pool",
        "threads",
        "--concurrency",
        os.environ.get("WORKER_CONCURRENCY", "100"),
        "--loglevel",
        # Warnings and errors only: per-task INFO lines (every /healthz ping) bury what matters.
        os.environ.get("WORKER_LOG_LEVEL", "WARNING"),
    ]


def web_args(host: str, port: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "agentstudio.asgi:application",
        "--host",
        host,
        "--port",
        port,
        "--log-level",
        "info",
        "--no-access-log",  # a line per request, the startup's /healthz polls included
    ]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.dev")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    from agentstudio.settings.env import DATA_DIR

    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    children: list[Child] = []  # in start order; stopped in reverse
    try:
        redis_url = os.environ.get("REDIS_URL") or DEFAULT_URL
        if redis_answers(redis_url):
            log(f"using Redis at {redis_url}")
        else:
            redis_url, redis_proc = start_embedded_redis(DATA_DIR / "redis")
            log(f"no Redis answered; started the embedded redis-server at {redis_url}")
            redis_port = urlparse(redis_url).port
            redis = Child(
                "redis",
                lambda: start_embedded_redis(DATA_DIR / "redis", port=redis_port)[1],
                Backoff(),
            )
            redis.proc, redis.started_at = redis_proc, time.monotonic()
            children.append(redis)
        os.environ["REDIS_URL"] = redis_url
        connect_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
        base_url = f"http://{connect_host}:{port}"
        os.environ.setdefault("SANDBOX_BASE_URL", f"{base_url}/sandbox")

        manage("migrate", "--noinput", "-v", "0")
        manage("migrate", "--database", "sandbox", "--noinput", "-v", "0")
        # Printed again once the server answers: the URL and the sign-in come last.
        credentials = manage("ensure_local_admin", capture=True)
        if has_command("load_demo"):
            manage("load_demo", "--owner", "admin", "--if-empty")
        if stopping:
            return 0

        children.append(Child("worker", lambda: spawn(worker_args(DATA_DIR), cwd=ROOT), Backoff()))
        children.append(Child("web", lambda: spawn(web_args(host, port), cwd=ROOT), Backoff()))
        for child in children:
            if child.proc is None:
                child.start()
        announced, warned = False, False
        deadline = time.monotonic() + HEALTHY_WITHIN_S
        while not stopping:
            for child in children:
                child.supervise()
            if not announced and healthy(f"{base_url}/healthz"):
                announced = True
                log(f"Agent Studio is running at {base_url}/ (Ctrl-C stops everything)")
                log(credentials)
            elif not announced and not warned and time.monotonic() > deadline:
                warned = True
                log(f"{base_url}/healthz did not report healthy yet; see the output above")
            time.sleep(0.3 if announced else 1.0)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for child in reversed(children):
            child.stop()
        log("stopped")


if __name__ == "__main__":
    sys.exit(main())
