"""The floor of `make bench`: what merely receiving the streams costs.

One asyncio process, one HTTP client (httpx2, the SDK's own), `json.loads` per event and nothing
else: it starts N conversations on the sandbox with `stream: true`, reads every SSE line and
counts the deltas. Its CPU is measured from after the imports and the client's creation to the
last stream's end; the last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

import httpx2 as httpx


async def read_one(client: httpx.AsyncClient, url: str, body: dict) -> tuple[int, int]:
    events = deltas = 0
    async with client.stream("POST", url, json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                events += 1
                deltas += event["type"].endswith(".delta")
    return events, deltas


async def main(args: argparse.Namespace) -> dict:
    headers = {"Authorization": f"Bearer {args.key}"}
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    timeout = httpx.Timeout(300.0)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=timeout) as client:
        body = {
            "agent_id": args.agent,
            "inputs": args.prompt,
            "stream": True,
            "metadata": json.loads(args.metadata),
        }
        url = f"{args.base}/v1/conversations"
        cpu0, wall0 = os.times(), time.monotonic()
        results = await asyncio.gather(*(read_one(client, url, body) for _ in range(args.n)))
        cpu1, wall1 = os.times(), time.monotonic()
    return {
        "cpu_s": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
        "wall_s": wall1 - wall0,
        "events": sum(e for e, _ in results),
        "tokens": sum(d for _, d in results),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("--base", "--agent", "--key", "--prompt", "--metadata"):
        parser.add_argument(name, required=True)
    parser.add_argument("-n", type=int, required=True)
    print(json.dumps(asyncio.run(main(parser.parse_args()))), flush=True)
    sys.exit(0)
