"""`make run`: migrate, create the local admin, load the demo, then run Redis (if needed), a Celery
worker and the ASGI server until Ctrl-C, which stops every process started here."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from agentstudio.redis_server import DEFAULT_URL, redis_answers, start_embedded_redis, stop

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[agentstudio] {message}", flush=True)  # noqa: T201 - this is a CLI


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def has_command(name: str) -> bool:
    import django
    from django.core.management import get_commands

    django.setup()
    return name in get_commands()


def spawn(name: str, args: list[str]) -> subprocess.Popen:
    log(f"starting {name}")
    # A session of its own: the terminal's Ctrl-C reaches only us, and we stop children in order.
    return subprocess.Popen(args, cwd=ROOT, start_new_session=True)


def terminate(name: str, proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    log(f"stopping {name}")
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass
    # Whatever the child left in its group (Celery's pool, beat) goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_healthy(url: str, procs: dict[str, subprocess.Popen], timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                log(f"{name} exited with code {proc.returncode}")
                return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


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

    procs: dict[str, subprocess.Popen] = {}
    redis_proc = None
    try:
        redis_url = os.environ.get("REDIS_URL") or DEFAULT_URL
        if redis_answers(redis_url):
            log(f"using Redis at {redis_url}")
        else:
            redis_url, redis_proc = start_embedded_redis(DATA_DIR / "redis")
            log(f"no Redis answered; started the embedded redis-server at {redis_url}")
        os.environ["REDIS_URL"] = redis_url
        connect_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
        base_url = f"http://{connect_host}:{port}"
        os.environ.setdefault("SANDBOX_BASE_URL", f"{base_url}/sandbox")

        manage("migrate", "--noinput", "-v", "0")
        manage("migrate", "--database", "sandbox", "--noinput", "-v", "0")
        manage("ensure_local_admin")
        if has_command("load_demo"):
            manage("load_demo", "--owner", "admin", "--if-empty")
        if stopping:
            return 0

        procs["worker"] = spawn(
            "Celery worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "agentstudio",
                "worker",
                "--beat",
                "--schedule",
                str(DATA_DIR / "celerybeat-schedule"),
                "--pool",
                "threads",
                "--concurrency",
                os.environ.get("WORKER_CONCURRENCY", "100"),
                "--loglevel",
                "INFO",
            ],
        )
        procs["web"] = spawn(
            "ASGI server",
            [
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
            ],
        )
        if wait_healthy(f"{base_url}/healthz", procs):
            log(f"Agent Studio is running at {base_url}/ (Ctrl-C stops everything)")
        elif not stopping:
            log(f"{base_url}/healthz did not report healthy; see the output above")
        while not stopping and all(p.poll() is None for p in procs.values()):
            time.sleep(0.3)
        return 0 if stopping else 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for name in ("web", "worker"):
            if name in procs:
                terminate(name, procs[name])
        if redis_proc is not None:
            log("stopping the embedded redis-server")
            stop(redis_proc)
        log("stopped")


if __name__ == "__main__":
    sys.exit(main())
