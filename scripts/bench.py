"""`make bench`: N concurrent conversations through the whole stack, against a baseline.

Studio: REST to start each conversation, a real Celery worker streaming from the sandbox through
the SDK, the event log, the Redis channel layer and a WebSocket per conversation to watch it.
Baseline: the same conversations driven straight through the SDK against the same sandbox.
Latency is measured from the sandbox emitting a frame (it records each frame's time in Redis when
asked with `sandbox_trace`) to the WebSocket client receiving the matching event.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conversations.events import OWN_EVENT_TYPES as OWN_TYPES  # noqa: E402 - after the path

PROMPT = "Hello! Tell me a little about yourself and what you can do for me today."


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)  # noqa: T201 - a CLI


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 1)


def prepare_environment(tmp: Path) -> dict[str, str]:
    from agentstudio.redis_server import free_port, redis_answers, start_embedded_redis

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    redis_url = env.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not redis_answers(redis_url):
        redis_url, proc = start_embedded_redis(tmp / "redis")
        env["_BENCH_REDIS_PID"] = str(proc.pid)
    port, sandbox_port = free_port(), free_port()
    env.update(
        DJANGO_SETTINGS_MODULE="agentstudio.settings.dev",
        DEBUG="false",
        REDIS_URL=redis_url,
        AGENTSTUDIO_DATA_DIR=str(tmp),
        DATABASE_URL=env.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}",
        SANDBOX_DATABASE_URL=env.get("BENCH_SANDBOX_DATABASE_URL")
        or f"sqlite:///{tmp / 'sandbox.sqlite3'}",
        SANDBOX_ENABLED="true",
        CELERY_QUEUE=f"bench-{port}",
        CHANNEL_LAYER_PREFIX=f"bench-{port}",
        # The sandbox plays the remote Mistral API, so it gets a server of its own, as the real
        # API would; both runs (baseline and studio) talk to that same server.
        SANDBOX_BASE_URL=f"http://127.0.0.1:{sandbox_port}/sandbox",
        BENCH_SANDBOX_PORT=str(sandbox_port),
        MISTRAL_API_KEY="",
        BENCH_PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    return env


def setup_data(env: dict[str, str]) -> tuple[str, str, str]:
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from agents.services import agent_create, graph_create
    from workspaces.services import workspace_create

    call_command("migrate", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    user = get_user_model().objects.create_user(f"bench-{time.time_ns()}", password="x")
    workspace = workspace_create(actor=user, name="Bench")
    graph = graph_create(actor=user, workspace=workspace, name="Bench graph")
    agent = agent_create(
        actor=user,
        graph=graph,
        name="assistant",
        description="A friendly general assistant",
        instructions="Answer briefly.",
    )
    token = Token.objects.create(user=user).key
    return token, str(graph.pk), str(agent.pk)


def http(method: str, url: str, token: str, body=None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} never became healthy")


def run_baseline(base: str, remote_agent: str, n: int, delay_ms: int) -> tuple[float, list[int]]:
    from django.conf import settings
    from mistralai.client import Mistral

    key = settings.SANDBOX_API_KEY

    counts = [0] * n
    errors: list[str] = []
    received: list[tuple[str, list[float]]] = [("", [])] * n

    def one(i: int) -> None:
        try:
            client = Mistral(api_key=key, server_url=f"{base}/sandbox", timeout_ms=120_000)
            times: list[float] = []
            conversation_id = ""
            with client.beta.conversations.start_stream(
                agent_id=remote_agent,
                inputs=PROMPT,
                metadata={"sandbox_delay_ms": delay_ms, "sandbox_trace": True},
            ) as stream:
                for event in stream:
                    times.append(time.time())
                    conversation_id = conversation_id or getattr(event.data, "conversation_id", "")
                    counts[i] += 1
            received[i] = (conversation_id, times)
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"baseline failed: {errors[:3]}")
    return time.monotonic() - started, counts, received


async def watch_one(base: str, ws_base: str, token: str, agent: str, delay_ms: int) -> dict:
    import websockets

    body = {
        "agent": agent,
        "inputs": PROMPT,
        "metadata": {"sandbox_delay_ms": delay_ms, "sandbox_trace": True},
    }
    created = await asyncio.to_thread(http, "POST", f"{base}/api/conversations/", token, body)
    received: list[tuple[dict, float]] = []
    url = f"{ws_base}/ws/conversations/{created['id']}/?after=0"
    headers = {"Authorization": f"Token {token}"}
    async with (
        websockets.connect(url, additional_headers=headers, max_size=None) as ws,
        asyncio.timeout(300),
    ):
        while True:
            message = json.loads(await ws.recv())
            received.append((message, time.time()))
            if message["type"] == "conversation.status" and message["data"]["status"] in {
                "completed",
                "failed",
                "cancelled",
                "awaiting_input",
            }:
                break
    return {"id": created["id"], "received": received}


async def run_studio(base: str, token: str, agent: str, n: int, delay_ms: int):
    ws_base = base.replace("http://", "ws://", 1)
    started = time.monotonic()
    results = await asyncio.gather(
        *(watch_one(base, ws_base, token, agent, delay_ms) for _ in range(n))
    )
    return time.monotonic() - started, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--conversations", "-n", type=int, default=int(os.environ.get("BENCH_CONVERSATIONS", "100"))
    )
    parser.add_argument("--delay-ms", type=int, default=int(os.environ.get("BENCH_DELAY_MS", "20")))
    args = parser.parse_args()
    n, delay = args.conversations, args.delay_ms

    tmp = Path(tempfile.mkdtemp(prefix="agentstudio-bench-"))
    env = prepare_environment(tmp)
    token, graph_id, agent_id = setup_data(env)
    base = f"http://127.0.0.1:{env['BENCH_PORT']}"
    sandbox_base = f"http://127.0.0.1:{env['BENCH_SANDBOX_PORT']}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "agentstudio.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                env["BENCH_SANDBOX_PORT"],
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "agentstudio.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                env["BENCH_PORT"],
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
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
                str(n + 10),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    try:
        wait_for(f"{base}/healthz")
        wait_for(f"{sandbox_base}/healthz")
        sync = http("POST", f"{base}/api/graphs/{graph_id}/sync/", token, {})
        remote_agent = sync["agents"][0]["remote_id"]
        log(f"{n} conversations, {delay} ms per word; baseline (SDK straight to the sandbox)…")
        baseline_s, baseline_counts, baseline_received = run_baseline(
            sandbox_base, remote_agent, n, delay
        )
        log(f"baseline {baseline_s:.2f}s; studio (REST + worker + WebSockets)…")
        studio_s, results = asyncio.run(run_studio(base, token, agent_id, n, delay))
        log(f"studio {studio_s:.2f}s; checking the logs…")

        import redis

        tracer = redis.Redis.from_url(env["REDIS_URL"])
        baseline_latencies: list[float] = []
        for conversation_id, times in baseline_received:
            emitted = [float(x) for x in tracer.lrange(f"sandbox-trace:{conversation_id}", 0, -1)]
            baseline_latencies += [(t - e) * 1000 for t, e in zip(times, emitted, strict=False)]
        lost = 0
        events = 0
        latencies: list[float] = []
        log_latencies: list[float] = []
        for result in results:
            received = [m for m, _ in result["received"]]
            rest = http("GET", f"{base}/api/conversations/{result['id']}/events/?limit=5000", token)
            seqs = [m["seq"] for m in received]
            lost += len(rest) - len(set(seqs) & {e["seq"] for e in rest})
            if seqs != list(range(1, len(seqs) + 1)) or received != rest[: len(received)]:
                lost += 1
            events += len(received)
            conversation = http("GET", f"{base}/api/conversations/{result['id']}/", token)
            if conversation["status"] != "completed":
                lost += 1
                log(f"{result['id']} ended {conversation['status']}: {conversation['error']}")
            mistral = [(m, t) for m, t in result["received"] if m["type"] not in OWN_TYPES]
            if len(mistral) != baseline_counts[0]:
                lost += abs(baseline_counts[0] - len(mistral))
            emitted = [
                float(x) for x in tracer.lrange(f"sandbox-trace:{conversation['remote_id']}", 0, -1)
            ]
            latencies += [(t - e) * 1000 for (_, t), e in zip(mistral, emitted, strict=False)]
            logged = [
                datetime.fromisoformat(m["created_at"].replace("Z", "+00:00")).timestamp()
                for m in rest
                if m["type"] not in OWN_TYPES
            ]
            log_latencies += [(t - e) * 1000 for t, e in zip(logged, emitted, strict=False)]
        if os.environ.get("BENCH_DEBUG"):
            by_index: dict[int, list[float]] = {}
            for result in results:
                for i, (m, t) in enumerate(result["received"]):
                    created = datetime.fromisoformat(m["created_at"].replace("Z", "+00:00"))
                    by_index.setdefault(i, []).append((t - created.timestamp()) * 1000)
            log(" ".join(f"{i}:{statistics.median(v):.0f}" for i, v in sorted(by_index.items())))
        report = {
            "conversations": n,
            "events": events,
            "lost": lost,
            "latency_ms": {
                "p50": percentile(latencies, 50),
                "p95": percentile(latencies, 95),
                "p99": percentile(latencies, 99),
            },
            "events_per_s": round(events / studio_s, 1),
            "baseline_s": round(baseline_s, 3),
            "studio_s": round(studio_s, 3),
            "overhead_ratio": round(studio_s / baseline_s, 3),
            "baseline_latency_ms": {
                "p50": percentile(baseline_latencies, 50),
                "p99": percentile(baseline_latencies, 99),
            },
            "logged_latency_ms": {
                "p50": percentile(log_latencies, 50),
                "p99": percentile(log_latencies, 99),
            },
            "delay_ms": delay,
            "database": env["DATABASE_URL"].split(":", 1)[0],
            "median_latency_ms": round(statistics.median(latencies), 1) if latencies else None,
        }
        print(json.dumps(report), flush=True)  # noqa: T201 - the report
        return 0
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if "_BENCH_REDIS_PID" in env:
            os.kill(int(env["_BENCH_REDIS_PID"]), 15)


if __name__ == "__main__":
    sys.exit(main())
