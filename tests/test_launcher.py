"""`make run` end to end: /healthz answers all ok, a dead child is restarted, and Ctrl-C leaves no
process behind."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from agentstudio.redis_server import DEFAULT_URL, free_port

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
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(launcher.stdout), daemon=True)
    reader.start()
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
        # The launcher's own check announces the URL and the sign-in once it sees healthy.
        _wait_for(lambda: "Agent Studio is running at" in "".join(lines), "the announcement")
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=60)
        reader.join(timeout=10)
        output = "".join(lines)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 0, output
    assert "Created the local admin account: admin / " in output
    # A quiet console: no Celery banner, no error line for the startup's /healthz polls, and the
    # URL and the credentials as the last lines before Ctrl-C.
    assert "-------------- celery@" not in output and "[config]" not in output, output
    assert "Service Unavailable" not in output and " ERROR " not in output, output
    ours = [line for line in output.splitlines() if line.startswith("[agentstudio] ")]
    running = next(i for i, line in enumerate(ours) if "Agent Studio is running at" in line)
    assert ours[running].endswith(f"http://127.0.0.1:{port}/ (Ctrl-C stops everything)")
    assert ours[running + 1].startswith("[agentstudio] Created the local admin account: admin / ")
    assert all(line.endswith(("stopping", "stopped")) for line in ours[running + 2 :]), ours
    if redis == "embedded":
        assert "started the embedded redis-server" in output
    else:
        assert "using Redis at" in output
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []


def _groups_members(groups: set[int]) -> list[int]:
    """Live processes (zombies aside) in any of these process groups."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The fields after the ")" that closes the command name: state, ppid, pgrp, ...
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) in groups:
            found.append(int(entry.name))
    return found


def _pgid(pid: int) -> int:
    return os.getpgid(pid)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _wait_for(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _answer(url: str) -> tuple[int, dict]:
    """/healthz's status and body; any failure to answer at all is an error here."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _launcher_env(tmp_path, port: int) -> dict[str, str]:
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
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",  # nothing there: the embedded one starts
    )
    return env


def test_a_killed_worker_is_restarted_while_the_rest_stays_up(tmp_path):
    port = free_port()
    healthz = f"http://127.0.0.1:{port}/healthz"
    log = tmp_path / "launcher.log"
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "agentstudio.launcher"],
            cwd=ROOT,
            env=_launcher_env(tmp_path, port),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    groups: set[int] = set()
    try:
        _healthz(healthz)
        children = _children(launcher.pid)
        by_role = {
            role: next(pid for pid in children if marker in _cmdline(pid))
            for role, marker in (("worker", "celery"), ("web", "uvicorn"), ("redis", "redis"))
        }
        worker = by_role["worker"]
        family = {worker, *_descendants(worker)}  # the worker and its embedded beat
        assert len(family) >= 2, family
        groups |= {_pgid(pid) for pid in by_role.values()}
        assert len(groups) == 3  # each child in a group of its own, none in the launcher's
        assert _pgid(launcher.pid) not in groups

        os.kill(worker, signal.SIGKILL)
        _wait_for(
            lambda: f"worker: pid {worker} exited with code -9; restarting in" in log.read_text(),
            "the restart log line",
        )
        # The dead worker's beat went with it; web and Redis did not.
        _wait_for(lambda: not any(_alive(pid) for pid in family), "the old beat to go")
        assert _alive(by_role["web"]) and _alive(by_role["redis"])

        # /healthz answers all along, and reports the new worker once it is up.
        answers = []
        while not answers or answers[-1] != 200:
            status, body = _answer(healthz)
            answers.append(status)
            assert status in {200, 503}, body
            assert body["redis"] == "ok" and body["database"] == "ok", body
            if len(answers) > 300:
                raise AssertionError(f"the worker never came back: {body}")
            time.sleep(0.2)
        assert body["worker"] == "ok"
        new_worker = next(pid for pid in _children(launcher.pid) if "celery" in _cmdline(pid))
        assert new_worker != worker
        assert f"worker: started (pid {new_worker})" in log.read_text()
        groups |= {_pgid(new_worker)}
        assert _pgid(new_worker) == new_worker
        assert all(_alive(pid) for pid in (by_role["web"], by_role["redis"]))

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0, log.read_text()
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
    _wait_for(lambda: not _groups_members(groups), "every child's group to empty", timeout=10)
    assert _groups_members(groups) == []


def test_an_embedded_beat_does_not_outlive_its_killed_worker(tmp_path):
    env = _launcher_env(tmp_path, free_port())
    env.update(
        DJANGO_SETTINGS_MODULE="agentstudio.settings.dev",
        REDIS_URL=os.environ.get("REDIS_URL", DEFAULT_URL),
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "agentstudio", "worker", "--beat"),
                *("--schedule", str(tmp_path / "beat-schedule"), "--pool", "threads"),
                *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(lambda: "ready." in log.read_text(errors="replace"), "the worker")
        beat = _wait_for(lambda: _children(worker.pid), "the beat process")[0]
        worker.kill()
        worker.wait()
        _wait_for(lambda: not _alive(beat), "the orphaned beat to stop", timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
