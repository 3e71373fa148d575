"""The engine's other paths through the real stack: automatic functions, client handoffs, cancel,
follow-ups, faults, reconnects and a worker killed mid-turn."""

import asyncio
import json
import os
import signal
import time

import pytest
import websockets
from django.utils import timezone

from agents.services import agent_create, graph_create
from conftest import start_worker
from conversations.models import Conversation, PendingAction, Turn
from conversations.tests.conftest import EXAMPLE_B
from tests.helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
FINAL = {"completed", "failed", "awaiting_input", "cancelled"}


def _start(api, agent, inputs, **extra):
    code, body = api.post(
        "/api/conversations/", {"agent": str(agent.pk), "inputs": inputs, **extra}
    )
    assert code == 201, body
    return body["id"]


def _events(api, conversation_id):
    code, events = api.get(f"/api/conversations/{conversation_id}/events/")
    assert code == 200
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    return events


def test_registered_python_function_is_answered_automatically(team, api_for, celery_worker_process):
    workspace, members = team
    admin = members["admin"]
    graph = graph_create(actor=admin, workspace=workspace, name="Maths")
    agent = agent_create(
        actor=admin,
        graph=graph,
        name="calculator",
        description="Evaluates arithmetic",
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "evaluate_arithmetic",
                    "description": "Evaluate an arithmetic expression",
                    "parameters": {
                        "type": "object",
                        "properties": {"expression": {"type": "string"}},
                        "required": ["expression"],
                    },
                },
            }
        ],
    )
    api = api_for(members["operator"])
    conversation_id = _start(api, agent, "Please evaluate the arithmetic expression 6 * 7")
    done = api.wait_status(conversation_id, {"completed", "failed", "awaiting_input"})
    assert done["status"] == "completed", done
    events = _events(api, conversation_id)
    [result] = [e["data"] for e in events if e["type"] == "function.result"]
    assert result["user"] is None and result["name"] == "evaluate_arithmetic"
    assert "value" in json.loads(result["result"]) or "error" in json.loads(result["result"])
    action = PendingAction.objects.get(conversation_id=conversation_id)
    assert action.status == "resolved" and action.decision == "automatic"
    assert [e["data"]["status"] for e in events if e["type"] == "conversation.status"] == [
        "queued",
        "running",
        "completed",
    ]


def test_client_handoff_mode_continue_and_stop(finance_graph, team, api_for, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    entry = finance_graph.entry_agent

    cont = _start(api, entry, EXAMPLE_B, handoff_execution="client")
    waiting = api.wait_status(cont, {"awaiting_input", "failed", "completed"})
    assert waiting["status"] == "awaiting_input"
    code, pending = api.get(f"/api/pending/?conversation={cont}&status=pending")
    [action] = pending["results"]
    assert action["kind"] == "handoff" and action["name"] == "ecb-interest-rate-agent"
    assert action["target_agent"]["name"] == "ecb-interest-rate-agent"
    code, body = api.post(f"/api/pending/{action['id']}/resolve/", {"result": "x"})
    assert code == 400 and "decision" in body
    code, _ = api.post(f"/api/pending/{action['id']}/resolve/", {"decision": "continue"})
    assert code == 200
    # The handed-off agent now runs and calls its function.
    after = api.wait_status(cont, {"awaiting_input", "failed", "completed"})
    code, pending = api.get(f"/api/pending/?conversation={cont}&status=pending")
    assert after["status"] == "awaiting_input", after
    assert [a["kind"] for a in pending["results"]] == ["function_call"]
    assert after["active_agent"]["name"] == "ecb-interest-rate-agent"

    stop = _start(api, entry, EXAMPLE_B, handoff_execution="client")
    api.wait_status(stop, {"awaiting_input"})
    code, pending = api.get(f"/api/pending/?conversation={stop}&status=pending")
    code, _ = api.post(f"/api/pending/{pending['results'][0]['id']}/resolve/", {"decision": "stop"})
    assert code == 200
    assert api.wait_status(stop, {"completed", "failed"})["status"] == "completed"


def test_cancel_running_and_waiting_conversations(
    finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    entry = finance_graph.entry_agent

    slow = _start(
        api, entry, "Tell me about the weather in Paris today", metadata={"sandbox_delay_ms": 200}
    )
    api.wait_status(slow, {"running"})
    code, body = api.post(f"/api/conversations/{slow}/messages/", {"inputs": "hurry"})
    assert code == 409 and "running" in body["detail"]
    code, _ = api.post(f"/api/conversations/{slow}/cancel/")
    assert code == 202
    assert api.wait_status(slow, {"cancelled", "completed", "failed"})["status"] == "cancelled"
    assert not Turn.objects.filter(conversation_id=slow, state__in=["queued", "running"]).exists()

    waiting = _start(api, entry, EXAMPLE_B)
    api.wait_status(waiting, {"awaiting_input"})
    code, body = api.post(f"/api/conversations/{waiting}/messages/", {"inputs": "more"})
    assert code == 409 and "pending" in body["detail"]
    code, _ = api.post(f"/api/conversations/{waiting}/cancel/")
    assert code == 202
    assert api.get(f"/api/conversations/{waiting}/")[1]["status"] == "cancelled"
    assert not PendingAction.objects.filter(conversation_id=waiting, status="pending").exists()
    code, body = api.post(f"/api/conversations/{waiting}/cancel/")
    assert code == 409


def test_follow_up_message_continues_with_the_active_agent(
    finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    conversation_id = _start(api, finance_graph.entry_agent, "Hello, who are you?")
    assert api.wait_status(conversation_id, {"completed", "failed"})["status"] == "completed"
    code, _ = api.post(f"/api/conversations/{conversation_id}/messages/", {"inputs": "Thanks!"})
    assert code == 202
    assert api.wait_status(conversation_id, {"completed", "failed"})["status"] == "completed"
    code, entries = api.get(f"/api/conversations/{conversation_id}/entries/")
    assert [e["type"] for e in entries].count("message.input") == 2
    assert Conversation.objects.get(pk=conversation_id).turns.count() == 2


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("rate_limit", "HTTP 429"),
        ("server_error", "Response failed during handoff orchestration"),
        ("stream_cut", "connection dropped"),
        ("response_error", "backend reported an error"),
        ("slow_first_byte", "could not be reached"),
    ],
)
def test_each_sandbox_fault_ends_in_a_clear_failed_state(
    fault, expected, finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    metadata = {"sandbox_fault": fault, "sandbox_first_byte_ms": 8000}
    conversation_id = _start(api, finance_graph.entry_agent, "Hello there", metadata=metadata)
    failed = api.wait_status(conversation_id, {"failed", "completed"}, timeout=60)
    assert failed["status"] == "failed"
    assert expected in failed["error"], failed["error"]
    events = _events(api, conversation_id)
    assert events[-1]["data"]["status"] == "failed" and events[-1]["data"]["error"]
    code, entries = api.get(f"/api/conversations/{conversation_id}/entries/")
    assert [e["type"] for e in entries] == ["message.input"]  # nothing half-written
    assert not Turn.objects.filter(conversation_id=conversation_id, state="running").exists()


def test_rate_limit_once_is_retried_and_succeeds(
    finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    metadata = {
        "sandbox_fault": "rate_limit",
        "sandbox_fault_times": 1,
        "sandbox_retry_after": 1,
        "sandbox_fault_key": f"retry-{time.monotonic_ns()}",
    }
    conversation_id = _start(api, finance_graph.entry_agent, "Hello there", metadata=metadata)
    done = api.wait_status(conversation_id, {"failed", "completed"})
    assert done["status"] == "completed", done["error"]


async def _read(url, token, count=None, until=None, timeout=60):
    got = []
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Token {token}"}
    ) as ws:
        async with asyncio.timeout(timeout):
            while count is None or len(got) < count:
                message = json.loads(await ws.recv())
                got.append(message)
                if (
                    until
                    and message["type"] == "conversation.status"
                    and (message["data"]["status"] in until)
                ):
                    break
    return got


def test_reconnect_with_last_seq_gets_every_missed_event_once(
    finance_graph, team, api_for, asgi_server, token_for, celery_worker_process
):
    _, members = team
    api = api_for(members["viewer"])
    conversation_id = _start(
        api_for(members["operator"]),
        finance_graph.entry_agent,
        "Hello, who are you?",
        metadata={"sandbox_delay_ms": 40},
    )
    url = f"{asgi_server.ws_url}/ws/conversations/{conversation_id}/"
    token = token_for(members["viewer"])
    first = asyncio.run(_read(f"{url}?after=0", token, count=6))
    # Events keep coming while nobody listens: reconnect only once some were missed.
    wait_for(lambda: len(_events(api, conversation_id)) > first[-1]["seq"], what="more events")
    rest = asyncio.run(_read(f"{url}?after={first[-1]['seq']}", token, until=FINAL))
    seen = [m["seq"] for m in first + rest]
    assert seen == list(range(1, len(seen) + 1))
    assert first + rest == _events(api, conversation_id)


def test_worker_killed_mid_turn_is_recovered_without_resending_input(
    finance_graph, team, api_for, celery_worker_process, process_tmp, django_db_blocker
):
    from conversations.tasks import recover_stale_turns

    _, members = team
    api = api_for(members["operator"])
    conversation_id = _start(
        api,
        finance_graph.entry_agent,
        "Hello, who are you?",
        metadata={"sandbox_delay_ms": 150},
    )
    wait_for(
        lambda: any(e["type"] == "message.output.delta" for e in _events(api, conversation_id)),
        what="the turn streaming",
    )
    os.kill(celery_worker_process.proc.pid, signal.SIGKILL)
    celery_worker_process.proc.wait()
    assert api.get(f"/api/conversations/{conversation_id}/")[1]["status"] == "running"

    with django_db_blocker.unblock():
        replacement = start_worker(
            process_tmp, SANDBOX_BASE_URL=os.environ.get("X", "") or f"{api.base}/sandbox"
        )
    celery_worker_process.proc, celery_worker_process.log = replacement.proc, replacement.log
    # The dead worker's turn goes stale: its heartbeat stopped with the worker.
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

    done = api.wait_status(conversation_id, {"completed", "failed"}, timeout=60)
    assert done["status"] == "completed", done["error"]
    events = _events(api, conversation_id)
    text = "".join(
        e["data"]["content"]
        for e in events
        if e["type"] == "message.output.delta" and isinstance(e["data"]["content"], str)
    )
    code, entries = api.get(f"/api/conversations/{conversation_id}/entries/")
    [message] = [e for e in entries if e["type"] == "message.output"]
    assert message["text"] == text and len(text) > 20
    # The sandbox holds the user's input exactly once.
    from integrations.mistral import backend

    conversation = Conversation.objects.get(pk=conversation_id)
    with django_db_blocker.unblock():
        from django.test import override_settings

        with override_settings(SANDBOX_BASE_URL=f"{api.base}/sandbox"):
            history = backend.conversation_history(conversation.remote_id)
    assert [h["type"] for h in history].count("message.input") == 1
    assert history[-1]["type"] == "message.output"


def test_a_failed_conversation_can_be_retried_with_a_new_message(
    finance_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    metadata = {
        "sandbox_fault": "stream_cut",
        "sandbox_fault_times": 1,
        "sandbox_fault_key": f"retry-cut-{time.monotonic_ns()}",
    }
    conversation_id = _start(api, finance_graph.entry_agent, "Hello there", metadata=metadata)
    assert api.wait_status(conversation_id, {"failed", "completed"})["status"] == "failed"
    code, _ = api.post(f"/api/conversations/{conversation_id}/messages/", {"inputs": "Again?"})
    assert code == 202
    done = api.wait_status(conversation_id, {"failed", "completed"})
    assert done["status"] == "completed" and done["error"] == "", done["error"]
    statuses = [
        e["data"]["status"]
        for e in _events(api, conversation_id)
        if e["type"] == "conversation.status"
    ]
    assert statuses == ["queued", "running", "failed", "queued", "running", "completed"]
