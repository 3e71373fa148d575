"""Measurements, not assertions (run explicitly: `pytest orchestrations/tests/bench_runs.py -s`).

1. Fan-out: N branches with a slowed sandbox stream. Reports the run's wall time against the sum
   and the longest of its branches' conversation times: how much the branches really overlap.
2. Pipeline: a sequence of K steps. Reports the run's wall time minus its steps' conversation
   times, per step: what the orchestration itself adds between one step's end and the next's
   start (hook, pass, enqueue)."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from orchestrations.tests.runs import conversation_span, make, start, steps, wait_run

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _seconds(span: tuple[str, str]) -> float:
    a, b = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in span)
    return (b - a).total_seconds()


def test_bench_fan_out_and_pipeline_overhead(guide_graph, team, api_for, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    results = {}
    for branches in (3, 6):
        spec = {
            "parallel": [
                {"agent": "Tech Researcher", "metadata": {"sandbox_delay_ms": 40}}
                for _ in range(branches)
            ]
        }
        began = time.monotonic()
        body = wait_run(
            api, start(api, make(guide_graph, members["admin"], spec, f"f{branches}"), "x")
        )
        wall = time.monotonic() - began
        spans = [
            _seconds(conversation_span(api, s["conversation"]))
            for s in body["steps"]
            if s["kind"] == "agent"
        ]
        results[f"fan_out_{branches}"] = {
            "wall_s": round(wall, 2),
            "sum_branches_s": round(sum(spans), 2),
            "longest_branch_s": round(max(spans), 2),
            "overlap_factor": round(sum(spans) / wall, 2),
        }
    for length in (5,):
        spec = {"sequence": [{"agent": "Research Agent"} for _ in range(length)]}
        began = time.monotonic()
        body = wait_run(api, start(api, make(guide_graph, members["admin"], spec, "seq"), "x"))
        wall = time.monotonic() - began
        spans = [
            _seconds(conversation_span(api, s["conversation"]))
            for s in steps(body).values()
            if s["kind"] == "agent"
        ]
        results[f"pipeline_{length}"] = {
            "wall_s": round(wall, 2),
            "steps_s": round(sum(spans), 2),
            "overhead_per_step_s": round((wall - sum(spans)) / length, 3),
        }
    print(json.dumps(results))  # noqa: T201 - the measurement is the output
