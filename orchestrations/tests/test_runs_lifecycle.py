"""A run's guarantees through the real stack: a function call in one branch waits in the inbox
while the other branch finishes; cancel stops every running step; a SIGKILLed worker is
recovered without running a finished step again; a timeout."""

from __future__ import annotations

import os
import signal

import pytest
from django.utils import timezone

from agents.services import agent_create
from conftest import start_worker
from conversations.models import Conversation, PendingAction, Turn
from orchestrations.models import RunStep
from orchestrations.tests.runs import make, start, steps, wait_run
from tests.helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STOCK_TOOL = {
    "type": "function",
    "function": {
        "name": "get_stock_price",
        "description": "Get the current stock price of a company",
        "parameters": {
            "type": "object",
            "properties": {"ticker": {"type": "string"}},
            "required": ["ticker"],
        },
    },
}


def test_function_call_in_one_branch_waits_while_the_other_finishes(
    guide_graph, team, api_for, celery_worker_process
):
    _, members = team
    agent_create(
        actor=members["admin"],
        graph=guide_graph,
        name="Stock Agent",
        instructions="Answer with stock prices.",
        tools=[STOCK_TOOL],
    )
    spec = {
        "parallel": [
            {"agent": "Stock Agent", "input": "Get the stock price of ACME"},
            {"agent": "Market Researcher", "metadata": {"sandbox_delay_ms": 20}},
        ],
        "merge": {"agent": "Research Synthesizer"},
    }
    api = api_for(members["operator"])
    run_id = start(api, make(guide_graph, members["admin"], spec), "ACME outlook")
    body = wait_run(api, run_id, {"awaiting_input", "completed", "failed"})
    assert body["status"] == "awaiting_input", body
    tree = steps(body)
    assert tree["spec.parallel[0]"]["status"] == "awaiting_input"
    assert tree["spec.parallel[1]"]["status"] == "completed"  # the other branch went on
    assert "spec.merge" not in tree
    # The inbox's pending call says which run and step it belongs to.
    code, pending = api.get("/api/pending/?status=pending")
    assert code == 200
    items = pending["results"] if isinstance(pending, dict) else pending
    action = next(a for a in items if a["conversation"] == tree["spec.parallel[0]"]["conversation"])
    assert action["name"] == "get_stock_price"
    assert action.get("orchestration") == {"run": run_id, "step": "spec.parallel[0]"}

    code, answered = api.post(f"/api/pending/{action['id']}/resolve/", {"result": "ACME: 42.0"})
    assert code == 200, answered
    body = wait_run(api, run_id)
    assert body["status"] == "completed", body
    tree = steps(body)
    assert "42.0" in tree["spec.parallel[0]"]["output"]
    assert tree["spec.merge"]["status"] == "completed"


def test_cancel_stops_every_running_step(guide_graph, team, api_for, celery_worker_process):
    _, members = team
    slow = {"sandbox_delay_ms": 400}
    spec = {
        "parallel": [
            {"agent": name, "metadata": slow}
            for name in ("Tech Researcher", "Market Researcher", "Academic Researcher")
        ],
        "merge": {"agent": "Research Synthesizer"},
    }
    api = api_for(members["operator"])
    run_id = start(api, make(guide_graph, members["admin"], spec), "Long topic")
    wait_for(
        lambda: (
            Conversation.objects.filter(
                metadata__orchestration_run=run_id, status="running"
            ).count()
            >= 2
        ),
        timeout=30,
        what="branches running",
    )
    code, body = api.post(f"/api/orchestration-runs/{run_id}/cancel/")
    assert code == 202 and body["status"] == "cancelled", body
    assert {s["status"] for s in body["steps"]} == {"cancelled"}
    conversations = Conversation.objects.filter(metadata__orchestration_run=run_id)
    wait_for(
        lambda: all(c.status == "cancelled" for c in conversations.all()),
        timeout=30,
        what="every step's conversation cancelled",
    )
    assert conversations.count() == 3
    assert not RunStep.objects.filter(run_id=run_id, path="spec.merge").exists()
    code, again = api.get(f"/api/orchestration-runs/{run_id}/")
    assert again["status"] == "cancelled"


def test_worker_killed_mid_step_is_recovered_without_rerunning_finished_steps(
    guide_graph, team, api_for, celery_worker_process, process_tmp, django_db_blocker
):
    from conversations.tasks import recover_stale_turns

    _, members = team
    spec = {
        "sequence": [
            {"agent": "Research Agent"},
            {"agent": "Analysis Agent", "metadata": {"sandbox_delay_ms": 150}},
            {"agent": "Report Agent"},
        ]
    }
    api = api_for(members["operator"])
    run_id = start(api, make(guide_graph, members["admin"], spec), "Electric vehicles")
    wait_for(
        lambda: Conversation.objects.filter(
            metadata__orchestration_step="spec.sequence[1]", status="running"
        ).exists(),
        timeout=60,
        what="the second step running",
    )
    second = Conversation.objects.get(metadata__orchestration_step="spec.sequence[1]")
    wait_for(lambda: second.events.filter(type="message.output.delta").exists(), timeout=30)
    os.kill(celery_worker_process.proc.pid, signal.SIGKILL)
    celery_worker_process.proc.wait()
    with django_db_blocker.unblock():
        replacement = start_worker(process_tmp, SANDBOX_BASE_URL=f"{api.base}/sandbox")
    celery_worker_process.proc, celery_worker_process.log = replacement.proc, replacement.log
    wait_for(
        lambda: Turn.objects.filter(
            conversation=second,
            state=Turn.State.RUNNING,
            heartbeat_at__lt=timezone.now() - timezone.timedelta(seconds=1),
        ).exists(),
        timeout=30,
        interval=0.2,
        what="a stale heartbeat",
    )
    recover_stale_turns.delay(stale_after_s=1)
    body = wait_run(api, run_id)
    assert body["status"] == "completed", body
    # Each step ran in exactly one conversation: the finished first step was not run again.
    for path in ("spec.sequence[0]", "spec.sequence[1]", "spec.sequence[2]"):
        assert Conversation.objects.filter(metadata__orchestration_step=path).count() == 1, path
    assert steps(body)["spec.sequence[1]"]["conversation"] == str(second.pk)


def test_a_step_that_times_out_fails_over_to_its_fallback(
    guide_graph, team, api_for, celery_worker_process
):
    _, members = team
    spec = {
        "agent": "Research Agent",
        "metadata": {"sandbox_delay_ms": 400},
        "timeout_s": 1,
        "fallback": {"agent": "Report Agent"},
    }
    api = api_for(members["operator"])
    body = wait_run(api, start(api, make(guide_graph, members["admin"], spec), "Slow topic"))
    assert body["status"] == "completed", body
    tree = steps(body)
    assert tree["spec"]["status"] == "failed" and "Timed out" in tree["spec"]["error"]
    assert tree["spec.fallback"]["status"] == "completed"
    slow = Conversation.objects.get(pk=tree["spec"]["conversation"])
    wait_for(lambda: Conversation.objects.get(pk=slow.pk).status == "cancelled", timeout=30)
    assert PendingAction.objects.count() == 0


def test_a_run_whose_pass_was_never_sent_is_advanced_by_the_recovery_job(
    guide_graph, team, api_for, celery_worker_process, monkeypatch
):
    from orchestrations import queue
    from orchestrations.services import run_start
    from orchestrations.tasks import recover_runs

    _, members = team
    orchestration = make(guide_graph, members["admin"], {"agent": "Research Agent"})
    monkeypatch.setattr(queue, "send_advance", lambda run_id, countdown=None: None)  # lost
    run = run_start(actor=members["operator"], orchestration=orchestration, inputs="Lost")
    monkeypatch.undo()
    api = api_for(members["operator"])
    assert api.get(f"/api/orchestration-runs/{run.pk}/")[1]["status"] == "queued"
    recover_runs.delay(stale_after_s=0)
    body = wait_run(api, str(run.pk))
    assert body["status"] == "completed", body
