"""`make bench`: N concurrent conversations through the whole stack, against a baseline.

Studio: REST to start each conversation, real Celery workers streaming from the sandbox through
the SDK, the event log, the Redis channel layer and a WebSocket per conversation to watch it.
Baseline: the same conversations driven straight through the SDK against the same sandbox.
Floor: a minimal asyncio reader of the same streams (`scripts/bench_floor.py`), the cost of
merely receiving them. Latency is measured per frame from the sandbox emitting it (it records each
frame's time in Redis when asked with `sandbox_trace`) to the client receiving the event that
carried it (several deltas of one entry may arrive as one event; see `bench_measure`).
`cpu_us_per_token` is each process group's utime + stime over its own phase, per delta streamed.

Profiles: `default` streams a delta per word (`--delay-ms` apart, 27 events a conversation);
`tokens` streams a delta per token (about 4 characters) at 50 tokens/s, replies of about 300
tokens. `--workers N --web M` runs N Celery worker processes and M ASGI processes, the sockets
split across the web processes. The last line printed is one JSON object.
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
from scripts.bench_measure import (  # noqa: E402
    CpuMeter,
    delta_frames,
    frame_times,
    parse_trace,
    per_token_us,
)
from scripts.bench_procs import celery_worker, turns_per_worker, uvicorn  # noqa: E402

PROMPT = "Hello! Tell me a little about yourself and what you can do for me today."
PROFILES = {
    "default": {},
    "tokens": {"sandbox_chunk": "token", "sandbox_reply_tokens": 300},
}
TOKENS_DELAY_MS = 20  # 50 tokens/s
FINAL = {"completed", "failed", "cancelled", "awaiting_input"}


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
        # API would; every run (baseline, floor, studio) talks to that same server.
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


def run_baseline(base: str, remote_agent: str, n: int, metadata: dict):
    from django.conf import settings
    from mistralai.client import Mistral

    key = settings.SANDBOX_API_KEY
    counts = [0] * n
    errors: list[str] = []
    received: list[tuple[str, list[float]]] = [("", [])] * n

    def one(i: int) -> None:
        try:
            client = Mistral(api_key=key, server_url=f"{base}/sandbox", timeout_ms=300_000)
            times: list[float] = []
            conversation_id = ""
            with client.beta.conversations.start_stream(
                agent_id=remote_agent, inputs=PROMPT, metadata=metadata
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


def run_floor(sandbox_base: str, remote_agent: str, n: int, metadata: dict, env) -> dict:
    from django.conf import settings

    meta = {k: v for k, v in metadata.items() if k != "sandbox_trace"}
    output = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_floor.py"), "--base",
         f"{sandbox_base}/sandbox", "--agent", remote_agent, "--key", settings.SANDBOX_API_KEY,
         "--prompt", PROMPT, "--metadata", json.dumps(meta), "-n", str(n)],
        env=env, capture_output=True, text=True, check=True, timeout=900,
    )  # fmt: skip
    return json.loads(output.stdout.strip().splitlines()[-1])


async def watch_one(base: str, token: str, agent: str, metadata: dict) -> dict:
    import websockets

    body = {"agent": agent, "inputs": PROMPT, "metadata": metadata}
    created = await asyncio.to_thread(http, "POST", f"{base}/api/conversations/", token, body)
    received: list[tuple[dict, float]] = []
    ws_base = base.replace("http://", "ws://", 1)
    url = f"{ws_base}/ws/conversations/{created['id']}/?after=0"
    headers = {"Authorization": f"Token {token}"}
    async with (
        websockets.connect(url, additional_headers=headers, max_size=None) as ws,
        asyncio.timeout(600),
    ):
        while True:
            message = json.loads(await ws.recv())
            received.append((message, time.time()))
            if message["type"] == "conversation.status" and message["data"]["status"] in FINAL:
                break
    return {"id": created["id"], "base": base, "received": received}


async def run_studio(bases: list[str], token: str, agent: str, n: int, metadata: dict):
    started = time.monotonic()
    results = await asyncio.gather(
        *(watch_one(bases[i % len(bases)], token, agent, metadata) for i in range(n))
    )
    return time.monotonic() - started, results


def analyse(results, tracer, base0: str, token: str, expected_frames: int):
    """lost (events, frames or statuses), per-frame latencies live and as logged, events."""
    lost = events = 0
    latencies: list[float] = []
    log_latencies: list[float] = []
    for result in results:
        received = [m for m, _ in result["received"]]
        rest = http("GET", f"{base0}/api/conversations/{result['id']}/events/?limit=5000", token)
        seqs = [m["seq"] for m in received]
        lost += len(rest) - len(set(seqs) & {e["seq"] for e in rest})
        if seqs != list(range(1, len(seqs) + 1)) or received != rest[: len(received)]:
            lost += 1
        events += len(received)
        conversation = http("GET", f"{base0}/api/conversations/{result['id']}/", token)
        if conversation["status"] != "completed":
            lost += 1
            log(f"{result['id']} ended {conversation['status']}: {conversation['error']}")
        trace = parse_trace(tracer.lrange(f"sandbox-trace:{conversation['remote_id']}", 0, -1))
        mistral = [(m["type"], m["data"], t) for m, t in result["received"]
                   if m["type"] not in OWN_TYPES]  # fmt: skip
        pairs = frame_times(mistral, trace)
        if len(pairs) != expected_frames or len(trace) != expected_frames:
            lost += abs(expected_frames - len(pairs))
        latencies += [(t - e) * 1000 for e, t in pairs]
        logged = [
            (m["type"], m["data"],
             datetime.fromisoformat(m["created_at"].replace("Z", "+00:00")).timestamp())
            for m in rest if m["type"] not in OWN_TYPES
        ]  # fmt: skip
        log_latencies += [(t - e) * 1000 for e, t in frame_times(logged, trace)]
    return lost, events, latencies, log_latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--conversations", "-n", type=int, default=int(os.environ.get("BENCH_CONVERSATIONS", "100"))
    )
    parser.add_argument("--delay-ms", type=int, default=None)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default")
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes")
    parser.add_argument("--web", type=int, default=1, help="ASGI (uvicorn) processes")
    args = parser.parse_args()
    n, profile = args.conversations, args.profile
    default_delay = TOKENS_DELAY_MS if profile == "tokens" else 20
    delay = (
        args.delay_ms
        if args.delay_ms is not None
        else int(os.environ.get("BENCH_DELAY_MS", default_delay))
    )
    metadata = {"sandbox_delay_ms": delay, "sandbox_trace": True, **PROFILES[profile]}

    tmp = Path(tempfile.mkdtemp(prefix="agentstudio-bench-"))
    env = prepare_environment(tmp)
    token, graph_id, agent_id = setup_data(env)
    from agentstudio.redis_server import free_port

    web_ports = [env["BENCH_PORT"]] + [str(free_port()) for _ in range(args.web - 1)]
    bases = [f"http://127.0.0.1:{port}" for port in web_ports]
    sandbox_base = f"http://127.0.0.1:{env['BENCH_SANDBOX_PORT']}"
    sandbox = uvicorn(env["BENCH_SANDBOX_PORT"], env)
    webs = [uvicorn(port, env) for port in web_ports]
    per_worker = -(-n // args.workers) + 10
    workers = [celery_worker(i, per_worker, env) for i in range(args.workers)]
    procs = [sandbox, *webs, *workers]
    try:
        for base in bases:
            wait_for(f"{base}/healthz")
        wait_for(f"{sandbox_base}/healthz")
        sync = http("POST", f"{bases[0]}/api/graphs/{graph_id}/sync/", token, {})
        remote_agent = sync["agents"][0]["remote_id"]
        log(f"{profile} profile, {n} conversations, {delay} ms per delta, "
            f"{args.workers} worker(s), {args.web} web process(es); baseline (SDK)…")  # fmt: skip
        meter = CpuMeter({"baseline": [os.getpid()], "sandbox": [sandbox.pid]})
        meter.start()
        baseline_s, baseline_counts, baseline_received = run_baseline(
            sandbox_base, remote_agent, n, metadata
        )
        baseline_cpu = meter.stop()
        import redis

        tracer = redis.Redis.from_url(env["REDIS_URL"])
        baseline_latencies: list[float] = []
        baseline_tokens = 0
        for conversation_id, times in baseline_received:
            trace = parse_trace(tracer.lrange(f"sandbox-trace:{conversation_id}", 0, -1))
            baseline_tokens += delta_frames(trace)
            baseline_latencies += [(t - e) * 1000 for t, (e, _) in zip(times, trace, strict=False)]
        expected_frames = baseline_counts[0]
        log(f"baseline {baseline_s:.2f}s; floor (one asyncio reader)…")
        floor = run_floor(sandbox_base, remote_agent, n, metadata, env)
        log(f"floor {floor['wall_s']:.2f}s; studio (REST + worker + WebSockets)…")
        meter = CpuMeter({
            "worker": [p.pid for p in workers], "web": [p.pid for p in webs],
            "sandbox": [sandbox.pid],
        })  # fmt: skip
        meter.start()
        studio_s, results = asyncio.run(run_studio(bases, token, agent_id, n, metadata))
        studio_cpu = meter.stop()
        log(f"studio {studio_s:.2f}s; checking the logs…")
        lost, events, latencies, log_latencies = analyse(
            results, tracer, bases[0], token, expected_frames
        )
        studio_tokens = baseline_tokens  # the same n conversations, the same replies
        spread = turns_per_worker()
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
            "profile": profile,
            "workers": args.workers,
            "web": args.web,
            "tokens": studio_tokens,
            "deltas_per_event": round(studio_tokens / max(1, events), 2),
            "added_latency_p99_ms": round(
                percentile(latencies, 99) - percentile(baseline_latencies, 99), 1
            ),
            "floor_s": round(floor["wall_s"], 3),
            "cpu_us_per_token": {
                "worker": per_token_us(studio_cpu["worker"], studio_tokens),
                "web": per_token_us(studio_cpu["web"], studio_tokens),
                "sandbox": per_token_us(studio_cpu["sandbox"], studio_tokens),
                "baseline": per_token_us(baseline_cpu["baseline"], baseline_tokens),
                "floor": per_token_us(floor["cpu_s"], floor["tokens"]),
            },
            "turns_per_worker": spread,
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
