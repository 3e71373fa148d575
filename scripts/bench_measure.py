"""What `make bench` measures: per-process CPU from /proc, and each token's latency.

CPU: utime + stime of a process (all its threads) from /proc/<pid>/stat, read at the start and
the end of a phase, so startup is excluded. Per token: that CPU time over the deltas the sandbox
streamed in the phase.

Latency per token: the sandbox records, per frame, its emission time and how many characters it
added to the entry (`sandbox.stream._grown`). The studio logs the deltas of one entry that arrive
within a flush window as one event, so one received event may carry many frames; each frame's
characters are matched to the event that first carried them, and a frame's latency is that
event's arrival time minus the frame's emission time.
"""

from __future__ import annotations

import os

DELTA_FIELDS = {
    "message.output.delta": "content",
    "function.call.delta": "arguments",
    "tool.execution.delta": "arguments",
}
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14 and 15)


class CpuMeter:
    """CPU seconds of named groups of processes between `start()` and `stop()`."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.started: dict[int, float] = {}
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self.started = {pid: cpu_seconds(pid) for pids in self.groups.values() for pid in pids}

    def stop(self) -> dict[str, float]:
        self.used = {
            name: sum(cpu_seconds(pid) - self.started[pid] for pid in pids)
            for name, pids in self.groups.items()
        }
        return self.used


def parse_trace(raw: list[bytes]) -> list[tuple[float, int]]:
    out = []
    for item in raw:
        stamp, _, grown = item.decode().partition(":")
        out.append((float(stamp), int(grown or 0)))
    return out


def frame_times(events: list[tuple[str, dict, float]], trace: list[tuple[float, int]]):
    """(emitted, received) per frame: `events` are (type, data, received at) of the backend's
    events as received, in order; `trace` the sandbox's (emitted at, characters) per frame."""
    pairs: list[tuple[float, float]] = []
    frames = iter(trace)
    for kind, data, received in events:
        field = DELTA_FIELDS.get(kind)
        value = data.get(field) if field else None
        want = len(value) if isinstance(value, str) else 0
        got = 0
        for emitted, grown in frames:  # at least one frame per event, more while text is owed
            pairs.append((emitted, received))
            got += grown
            if got >= want:
                break
    return pairs


def delta_frames(trace: list[tuple[float, int]]) -> int:
    return sum(1 for _, grown in trace if grown)


def per_token_us(cpu_s: float, tokens: int) -> float | None:
    return round(cpu_s * 1e6 / tokens, 1) if tokens else None
