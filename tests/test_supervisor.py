"""The launcher's supervision, with real short-lived processes: backoff, restart, group cleanup."""

import os
import re
import time
from pathlib import Path

from agentstudio.supervisor import Backoff, Child, spawn


def test_backoff_doubles_up_to_the_cap_and_resets_after_a_stable_run():
    backoff = Backoff(initial=1, cap=10, stable_after=60)
    assert [backoff.delay(uptime=2) for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    assert backoff.delay(uptime=60) == 1  # it stayed up: a fresh start
    assert backoff.delay(uptime=5) == 2


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _supervise_until(child: Child, done, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "supervision never got there"
        child.supervise()
        time.sleep(0.02)


def test_a_dead_child_is_restarted_and_its_group_killed(tmp_path, capsys):
    marker = tmp_path / "leftover.pid"
    # The child leaves a process behind in its group (as a worker leaves its beat), then dies.
    script = f"sleep 300 & echo $! >> {marker}; exit 3"
    child = Child("flaky", lambda: spawn(["sh", "-c", script]), Backoff(initial=0.05, cap=0.2))
    try:
        child.start()
        first = child.proc
        assert os.getpgid(first.pid) == first.pid  # a group of its own
        _supervise_until(child, lambda: marker.exists() and child.proc not in (None, first))
        leftover = int(marker.read_text().split()[0])  # the first run's
        assert not _alive(leftover)
        out = capsys.readouterr().out
        assert f"flaky: pid {first.pid} exited with code 3; restarting in 0.05s" in out
        assert re.search(r"flaky: started \(pid (\d+)\)", out.split("restarting in")[1])
        # It keeps dying: the delays grow to the cap.
        _supervise_until(child, lambda: "restarting in 0.2s" in capsys.readouterr().out)
    finally:
        child.stop()
    assert child.proc is None or child.proc.poll() is not None
