"""Helpers of the run tests: start an orchestration over the live server and wait for it."""

from __future__ import annotations

import time

from orchestrations.services import orchestration_create

FINAL = {"completed", "failed", "cancelled"}


def make(graph, user, spec, name="test"):
    return orchestration_create(actor=user, graph=graph, name=name, spec=spec)


def start(api, orchestration, inputs: str) -> str:
    code, body = api.post(f"/api/orchestrations/{orchestration.pk}/runs/", {"inputs": inputs})
    assert code == 201, body
    return body["id"]


def wait_run(api, run_id, statuses=FINAL, timeout=90) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        code, body = api.get(f"/api/orchestration-runs/{run_id}/")
        assert code == 200, body
        if body["status"] in statuses:
            return body
        time.sleep(0.2)
    raise AssertionError(f"run stayed {body.get('status')}: {body}")


def steps(body) -> dict[str, dict]:
    return {step["path"]: step for step in body["steps"]}


def events(api, run_id) -> list[dict]:
    code, found = api.get(f"/api/orchestration-runs/{run_id}/events/?after=0")
    assert code == 200
    assert [e["seq"] for e in found] == list(range(1, len(found) + 1))  # gap-free
    return found


def conversation_span(api, conversation_id) -> tuple[str, str]:
    """When the conversation's turn started running and when it ended (its log's times)."""
    code, found = api.get(f"/api/conversations/{conversation_id}/events/")
    assert code == 200
    statuses = [e for e in found if e["type"] == "conversation.status"]
    running = next(e["created_at"] for e in statuses if e["data"]["status"] == "running")
    return running, statuses[-1]["created_at"]
