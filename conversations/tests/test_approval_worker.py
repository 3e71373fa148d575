"""An approved tool runs in the worker, never in the web request that approved it: once, even
when the turn's task is delivered again, and again after its worker died mid-call (the recovery
job requeues the turn), its result still fed to the model once."""

from __future__ import annotations

import os
import signal

import pytest
from celery import current_app
from django.utils import timezone

from conftest import start_worker
from conversations.models import PendingAction, Turn
from conversations.queue import RUN_TURN_TASK
from conversations.tests.test_mcp_tools import FINAL, stdio_fields
from conversations.tests.test_mcp_tools import agent as agent  # noqa: F401 (the fixture)
from tests.helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
POLICY = {"rules": [{"tools": ["lookup_*"], "decision": "ask"}]}
ANSWER = "Euro area inflation in 2023: 2.4% (stdio-secret-source)"


def _approval(api_for, members, agent, **env):
    fields = stdio_fields()
    fields["env"] = {**fields["env"], **env}
    editor = api_for(members["admin"])
    code, server = editor.post(f"/api/agents/{agent.pk}/mcp-servers/", fields)
    assert code == 201 and not server["tools_error"], server
    assert editor.call("PUT", f"/api/agents/{agent.pk}/tool-policy/", POLICY)[0] == 200
    operator = api_for(members["operator"])
    code, body = operator.post(
        "/api/conversations/", {"agent": str(agent.pk), "inputs": "Look up the inflation of 2023"}
    )
    assert code == 201, body
    assert operator.wait_status(body["id"], FINAL, timeout=90)["status"] == "awaiting_input"
    code, pending = operator.get(f"/api/pending/?status=pending&conversation={body['id']}")
    [action] = pending["results"]
    assert action["kind"] == "approval" and action["name"] == "lookup_inflation"
    return operator, body["id"], action


def _results(api, conversation_id):
    code, events = api.get(f"/api/conversations/{conversation_id}/events/")
    return [e["data"] for e in events if e["type"] == "function.result"]


def _calls(log):
    return log.read_text().split() if log.exists() else []


def test_the_worker_runs_the_approved_tool_once_even_when_redelivered(
    agent, team, api_for, celery_worker_process, tmp_path
):
    _, members = team
    log = tmp_path / "calls.log"
    operator, conversation_id, action = _approval(api_for, members, agent, TOOLS_CALL_LOG=str(log))
    code, body = operator.post(f"/api/pending/{action['id']}/resolve/", {"decision": "approve"})
    assert code == 200, body
    assert body["status"] == "resolved"
    done = operator.wait_status(conversation_id, {"completed", "failed"}, timeout=90)
    assert done["status"] == "completed", done
    # The stdio server's parent is the process that ran the tool: the worker, not the web server.
    assert _calls(log) == [str(celery_worker_process.proc.pid)]
    [result] = _results(operator, conversation_id)
    assert result["result"] == ANSWER and result["user"] == "operator"
    row = PendingAction.objects.get(pk=action["id"])
    assert (row.decision, row.result, row.resolved_by.username) == ("approve", ANSWER, "operator")
    turn = Turn.objects.filter(conversation_id=conversation_id).order_by("number").last()
    assert turn.kind == "results" and turn.inputs[0]["result"] == ANSWER

    # The broker delivers the turn's task again: the claim makes it a no-op.
    sent = current_app.send_task(RUN_TURN_TASK, args=[str(turn.pk)])
    wait_for(
        lambda: f"[{sent.id}] succeeded" in celery_worker_process.log_text(),
        timeout=30,
        what="the redelivered task",
    )
    assert _calls(log) == [str(celery_worker_process.proc.pid)]
    assert len(_results(operator, conversation_id)) == 1
    assert operator.get(f"/api/conversations/{conversation_id}/")[1]["status"] == "completed"


def test_a_worker_killed_mid_tool_is_recovered(
    agent, team, api_for, celery_worker_process, tmp_path, process_tmp, django_db_blocker
):
    from conversations.tasks import recover_stale_turns

    _, members = team
    log, hold = tmp_path / "calls.log", tmp_path / "hold"
    hold.touch()
    operator, conversation_id, action = _approval(
        api_for, members, agent, TOOLS_CALL_LOG=str(log), TOOLS_HOLD_FILE=str(hold)
    )
    code, body = operator.post(f"/api/pending/{action['id']}/resolve/", {"decision": "approve"})
    assert code == 200, body
    wait_for(lambda: _calls(log), timeout=60, what="the tool running in the worker")
    os.kill(celery_worker_process.proc.pid, signal.SIGKILL)
    celery_worker_process.proc.wait()
    hold.unlink()
    assert operator.get(f"/api/conversations/{conversation_id}/")[1]["status"] == "running"
    assert _results(operator, conversation_id) == []

    with django_db_blocker.unblock():
        replacement = start_worker(process_tmp, SANDBOX_BASE_URL=f"{operator.base}/sandbox")
    celery_worker_process.proc, celery_worker_process.log = replacement.proc, replacement.log
    wait_for(
        lambda: Turn.objects.filter(
            conversation_id=conversation_id,
            state=Turn.State.RUNNING,
            heartbeat_at__lt=timezone.now() - timezone.timedelta(seconds=1),
        ).exists(),
        timeout=30,
        interval=0.2,
        what="a stale heartbeat",
    )
    recover_stale_turns.delay(stale_after_s=1)

    done = operator.wait_status(conversation_id, {"completed", "failed"}, timeout=90)
    assert done["status"] == "completed", done
    # It ran again in the new worker (the first run never reported), and reached the model once.
    assert _calls(log)[-1] == str(replacement.proc.pid) and len(_calls(log)) == 2
    [result] = _results(operator, conversation_id)
    assert result["result"] == ANSWER and result["user"] == "operator"


def test_on_the_local_runtime_too(agent, team, api_for, celery_worker_process, tmp_path):
    from agents.services import graph_update

    _, members = team
    graph_update(actor=members["admin"], graph=agent.graph, runtime="local")
    log = tmp_path / "calls.log"
    operator, conversation_id, action = _approval(api_for, members, agent, TOOLS_CALL_LOG=str(log))
    assert operator.get(f"/api/conversations/{conversation_id}/")[1]["runtime"] == "local"
    code, body = operator.post(f"/api/pending/{action['id']}/resolve/", {"decision": "approve"})
    assert code == 200, body
    done = operator.wait_status(conversation_id, {"completed", "failed"}, timeout=90)
    assert done["status"] == "completed", done
    assert _calls(log) == [str(celery_worker_process.proc.pid)]
    [result] = _results(operator, conversation_id)
    assert result["result"] == ANSWER and result["user"] == "operator"
    code, entries = operator.get(f"/api/conversations/{conversation_id}/entries/")
    assert "2.4%" in entries[-1]["text"], entries[-1]
