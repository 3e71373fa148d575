"""MCP tool-call latency as the worker pays it (one connection per call): a stdio server started
for each call versus a running streamable-HTTP server. Prints median and p95 in milliseconds.

    .venv/bin/python scripts/bench_mcp.py [calls]
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integrations.mcp.client import ServerConfig, call_tool, list_tools  # noqa: E402

MODULE = "conversations.tests.mcp_servers.tools"


def measure(config: ServerConfig, calls: int) -> tuple[float, float]:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call_tool(config, "lookup_inflation", {"year": 2023})
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    stdio = ServerConfig(name="stdio", transport="stdio", command=sys.executable,
                         args=["-m", MODULE, "stdio"], env={"PYTHONPATH": str(ROOT)})  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", MODULE, "http", str(port), "t"], cwd=ROOT,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        http = ServerConfig(name="http", transport="http", url=f"http://127.0.0.1:{port}/mcp",
                            headers={"Authorization": "Bearer t"})  # fmt: skip
        for _ in range(50):
            try:
                list_tools(http)
                break
            except Exception:
                time.sleep(0.2)
        for name, config in (("stdio (process per call)", stdio), ("streamable HTTP", http)):
            median, p95 = measure(config, calls)
            print(f"{name}: median {median:.0f} ms, p95 {p95:.0f} ms over {calls} calls")
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
