"""Suite-wide fixtures: users, API clients, and the real moving parts (ASGI server, Celery worker).

Redis is resolved by the test settings (the machine's at REDIS_URL, else an embedded one), so every
process started here inherits a Redis that answers, a private Celery queue and channel prefix.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentstudio.redis_server import free_port

ROOT = Path(__file__).resolve().parent


def _flush_retrying_deadlocks() -> None:
    """A live-server test's teardown TRUNCATEs every table while the session's worker may still be
    finishing a turn a test left running; on PostgreSQL the two can deadlock, the TRUNCATE is
    the victim, and every later test then starts on a dirty database. Retry it: the worker's
    transaction has committed or rolled back by then."""
    from django.db import OperationalError
    from django.test import TransactionTestCase

    teardown = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        for attempt in range(5):
            try:
                return teardown(self)
            except Exception as exc:  # flush wraps the database's error in a CommandError
                cause = exc if isinstance(exc, OperationalError) else exc.__cause__
                if "deadlock detected" not in str(cause) or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    TransactionTestCase._fixture_teardown = _fixture_teardown


_flush_retrying_deadlocks()


def _database_url(alias: str = "default") -> str:
    """A test database as a URL, for processes started by the suite."""
    from django.db import connections

    s = connections[alias].settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    host = s["HOST"] or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="agentstudio.settings.test",
        DATABASE_URL=_database_url(),
        # The sandbox's own test database and key: every process plays the same remote API.
        SANDBOX_DATABASE_URL=_database_url("sandbox"),
        SANDBOX_API_KEY=settings.SANDBOX_API_KEY,
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered, even if not with 200
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {timeout}s")


def stop_process(proc: subprocess.Popen, sig_timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(sig_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class AsgiServer:
    url: str
    proc: subprocess.Popen

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)


@dataclass
class WorkerProcess:
    proc: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_asgi_server(tmp_dir: Path, **env: str) -> AsgiServer:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tmp_dir / f"asgi-{port}.log", "wb")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "agentstudio.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=process_env(SANDBOX_BASE_URL=f"{url}/sandbox", **env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _wait_for_http(f"{url}/login/", proc)
    return AsgiServer(url=url, proc=proc)


# Short retry and timeout budgets, so the fault tests fail in seconds rather than minutes.
WORKER_ENV = {
    "MISTRAL_RETRY_INITIAL_MS": "200",
    "MISTRAL_RETRY_MAX_INTERVAL_MS": "1000",
    "MISTRAL_RETRY_MAX_ELAPSED_MS": "2500",
    "MISTRAL_TIMEOUT_MS": "4000",
}


def start_worker(tmp_dir: Path, *, concurrency: int = 8, **env: str) -> WorkerProcess:
    env = {**WORKER_ENV, **env}
    log = tmp_dir / f"worker-{time.monotonic_ns()}.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "agentstudio",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=process_env(**env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    from agentstudio.celery import app

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}:\n{log.read_text()}")
        if log.exists() and "ready." in log.read_text(errors="replace"):
            break
        time.sleep(0.1)
    else:
        stop_process(proc)
        raise RuntimeError("worker not ready within 30s")
    app.control.purge()  # nothing left over from an earlier test run in this queue
    return WorkerProcess(proc=proc, log=log)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_keepdb, django_db_createdb):
    """The sandbox's test database too, whatever the collected tests name: the servers and
    workers the suite starts use the sandbox even when no test touches its rows itself."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    sandbox = connections["sandbox"]
    if sandbox.settings_dict["NAME"] == sandbox.creation._get_test_db_name():
        yield  # pytest-django set it up already, for a test that names it
        return
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=0,
            interactive=False,
            keepdb=keepdb,
            aliases={"sandbox"},
            serialized_aliases=set(),
        )
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def process_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("processes")


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker, process_tmp) -> Iterator[AsgiServer]:
    """The real ASGI application (HTTP + WebSocket, Redis channel layer) served by uvicorn."""
    with django_db_blocker.unblock():
        server = start_asgi_server(process_tmp)
    yield server
    stop_process(server.proc)


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup, django_db_blocker, process_tmp, asgi_server
) -> Iterator[WorkerProcess]:
    """A real Celery worker process on the real Redis broker, using the live server's sandbox."""
    with django_db_blocker.unblock():
        worker = start_worker(process_tmp, SANDBOX_BASE_URL=f"{asgi_server.url}/sandbox")
    yield worker
    stop_process(worker.proc)


@pytest.fixture
def worker_factory(django_db_blocker, process_tmp, asgi_server) -> Iterator[Callable]:
    """Start extra workers (e.g. to kill one with SIGKILL); all stopped at the end of the test."""
    started: list[WorkerProcess] = []

    def factory(**env: str) -> WorkerProcess:
        with django_db_blocker.unblock():
            worker = start_worker(process_tmp, SANDBOX_BASE_URL=f"{asgi_server.url}/sandbox", **env)
        started.append(worker)
        return worker

    yield factory
    for worker in started:
        stop_process(worker.proc)


@pytest.fixture
def make_user(django_user_model) -> Callable:
    counter = iter(range(10_000))

    def make(username: str | None = None, **fields):
        name = username or f"user{next(counter)}"
        return django_user_model.objects.create_user(
            username=name, password=fields.pop("password", "pw-secret-123"), **fields
        )

    return make


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def token_for() -> Callable:
    def token(user) -> str:
        from rest_framework.authtoken.models import Token

        return Token.objects.get_or_create(user=user)[0].key

    return token


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip without Debian's Chromium, or fail when REQUIRE_BROWSER says it must be there."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no `playwright install`: it cannot download here)."""
    require_chromium()
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the
    # tests make around it are still plain synchronous ones.
    # Module scope: the loop stops between modules, so other tests may use asyncio.run().
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a loaded CI machine is slow; assertions still wait
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def signed_in_page(page, asgi_server, make_user) -> Callable:
    """Sign a user in through the real login form; returns the page."""

    def sign_in(user=None, password: str = "pw-secret-123"):
        user = user or make_user()
        page.goto(f"{asgi_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{asgi_server.url}/")
        return page

    return sign_in


@pytest.fixture(autouse=True)
def _fresh_api_throttle_counters():
    """DRF's throttles count in the default (per-process) cache, which outlives a test; user ids
    are reused across tests, so one test's requests must not count against the next."""
    from django.core.cache import cache

    cache.clear()


WORKER_LOG_TAIL = 120  # lines of the worker's log shown under a failed test that used it


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that ran on the session's worker shows what the worker did meanwhile: a
    turn or a pass that never came is otherwise invisible in CI, where the logs are gone."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    worker = getattr(item, "funcargs", {}).get("celery_worker_process")
    if isinstance(worker, WorkerProcess):
        tail = worker.log_text().splitlines()[-WORKER_LOG_TAIL:]
        report.sections.append(("worker log (tail)", "\n".join(tail)))
