"""Keeps the `make run` children running: a child that dies is restarted after a backoff, and
every child runs in a process group of its own that goes entirely when the child goes."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PR_SET_PDEATHSIG = 1


def log(message: str) -> None:
    print(f"[agentstudio] {message}", flush=True)  # noqa: T201 - this is a CLI


@dataclass
class Backoff:
    """Exponential restart delays, capped; a child that stayed up `stable_after` seconds has
    recovered, so its next crash starts from `initial` again."""

    initial: float = 1.0
    cap: float = 30.0
    stable_after: float = 60.0
    _next: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self._next = self.initial

    def delay(self, uptime: float) -> float:
        if uptime >= self.stable_after:
            self._next = self.initial
        delay, self._next = self._next, min(self.cap, self._next * 2)
        return delay


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM it when the launcher dies, even by SIGKILL, so no
    child is left running without its supervisor (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def kill_group(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def spawn(args: list[str], **kwargs) -> subprocess.Popen:
    # A session (so a process group) of its own: the terminal's Ctrl-C reaches only the launcher,
    # which stops the children in order, and a child's leftovers (Celery's beat) go with its group.
    return subprocess.Popen(args, start_new_session=True, preexec_fn=die_with_parent, **kwargs)


class Child:
    def __init__(self, name: str, start: Callable[[], subprocess.Popen], backoff: Backoff):
        self.name = name
        self._start = start
        self.backoff = backoff
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restart_at: float | None = None

    def start(self) -> None:
        self.started_at = time.monotonic()
        try:
            self.proc = self._start()
        except Exception as exc:
            self.proc = None
            self._schedule_restart(f"failed to start ({exc})")
            return
        log(f"{self.name}: started (pid {self.proc.pid})")

    def _schedule_restart(self, why: str) -> None:
        delay = self.backoff.delay(time.monotonic() - self.started_at)
        self.restart_at = time.monotonic() + delay
        log(f"{self.name}: {why}; restarting in {delay:g}s")

    def supervise(self) -> None:
        """Called over and over by the launcher: notices a death, restarts when the delay is up."""
        if self.restart_at is not None:
            if time.monotonic() >= self.restart_at:
                self.restart_at = None
                self.start()
            return
        if self.proc is None or self.proc.poll() is None:
            return
        # Whatever the dead child left in its group (Celery's beat and pool) must not outlive it.
        dead, self.proc = self.proc, None
        kill_group(dead.pid)
        self._schedule_restart(f"pid {dead.pid} exited with code {dead.returncode}")

    def stop(self, timeout: float = 15) -> None:
        self.restart_at = None
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            log(f"{self.name}: stopping")
            kill_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid)
                proc.wait()
        kill_group(proc.pid)
