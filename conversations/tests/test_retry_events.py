"""The worker's retries of a failing backend are in the log as `backend.retrying` events (the
page shows them), through the real worker, SDK and sandbox faults; a retry can be cancelled."""

from __future__ import annotations

import time
import uuid

import jsonschema
import pytest

from conversations.events import event_json_schema
from conversations.projection import Projection

pytestmark = pytest.mark.django_db(transaction=True)


def _start(api, agent, metadata):
    code, body = api.post(
        "/api/conversations/",
        {"agent": str(agent.pk), "inputs": "Hello there", "metadata": metadata},
    )
    assert code == 201, body
    return body["id"]


def _events(api, conversation_id):
    code, events = api.get(f"/api/conversations/{conversation_id}/events/")
    assert code == 200
    return events


def _fault(kind: str, times: int, **extra) -> dict:
    return {
        "sandbox_fault": kind,
        "sandbox_fault_times": times,
        "sandbox_fault_key": f"retry-events-{uuid.uuid4()}",
        **extra,
    }


def test_a_retried_429_is_logged_with_attempt_status_and_delay_then_succeeds(
    finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    conversation_id = _start(
        api, finance_graph.entry_agent, _fault("rate_limit", 1, sandbox_retry_after=1)
    )
    assert api.wait_status(conversation_id, {"completed", "failed"})["status"] == "completed"

    events = _events(api, conversation_id)
    types = [e["type"] for e in events]
    [retry] = [e for e in events if e["type"] == "backend.retrying"]
    assert retry["data"] == {
        "attempt": 1,
        "max_attempts": 10,
        "status": 429,
        "delay_ms": 1000,  # the sandbox's Retry-After, honoured
        "reason": "HTTP 429",
    }
    assert types.index("backend.retrying") < types.index("conversation.response.started")
    validator = jsonschema.Draft202012Validator(event_json_schema())
    assert not list(validator.iter_errors(retry))
    # The projection holds the notice until the response starts.
    projection = Projection()
    for event in events[: types.index("backend.retrying") + 1]:
        projection.apply(event["type"], event["data"])
    assert projection.retrying == retry["data"]
    for event in events[types.index("backend.retrying") + 1 :]:
        projection.apply(event["type"], event["data"])
    assert projection.retrying is None


def test_server_errors_retried_until_the_budget_ends_say_so_in_the_failure(
    finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    conversation_id = _start(api, finance_graph.entry_agent, _fault("server_error", 50))
    failed = api.wait_status(conversation_id, {"completed", "failed"})
    assert failed["status"] == "failed"
    retries = [e for e in _events(api, conversation_id) if e["type"] == "backend.retrying"]
    assert retries and [r["data"]["attempt"] for r in retries] == list(range(1, len(retries) + 1))
    assert {r["data"]["status"] for r in retries} == {500}
    assert failed["error"].startswith("The backend answered HTTP 500: ")
    assert failed["error"].endswith(f"(gave up after {len(retries)} retries)")


def test_cancel_while_the_worker_waits_to_retry_stops_the_retries(
    finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    conversation_id = _start(
        api, finance_graph.entry_agent, _fault("rate_limit", 50, sandbox_retry_after=1)
    )
    deadline = time.monotonic() + 30
    while not any(e["type"] == "backend.retrying" for e in _events(api, conversation_id)):
        assert time.monotonic() < deadline, "no retry was logged"
        time.sleep(0.05)
    code, body = api.post(f"/api/conversations/{conversation_id}/cancel/")
    assert code == 202, body  # running: the worker stops
    done = api.wait_status(conversation_id, {"cancelled", "failed", "completed"})
    assert done["status"] == "cancelled"
    retries = [e for e in _events(api, conversation_id) if e["type"] == "backend.retrying"]
    assert len(retries) <= 2  # the one seen, at most one more already under way
