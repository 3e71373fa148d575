"""Example B through the real stack (live ASGI server, Celery worker, sandbox over the SDK) with
a real OTLP/HTTP receiver: one trace with the handoff tree, a receiver that is down delays
nothing and gets the spans once it is back, a re-export sends the same ids, and /metrics of the
web process shows what the worker counted."""

import asyncio
import urllib.request
import uuid

import pytest
import websockets
from celery import current_app
from prometheus_client.parser import text_string_to_metric_families

from agentstudio.redis_server import free_port
from conftest import start_asgi_server, start_worker, stop_process
from conversations.tests.conftest import EXAMPLE_B, Api
from observability.models import ConversationTrace
from observability.spans import trace_id_for
from observability.tests.receiver import Receiver, attributes
from tests.helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
TOKEN = "metrics-secret-token"


@pytest.fixture
def traced_stack(process_tmp, django_db_blocker):
    """A web server and a worker of their own, on their own queue, exporting to a port where
    nothing listens yet."""
    port, queue = free_port(), f"otel-{uuid.uuid4().hex[:8]}"
    env = {
        "CELERY_QUEUE": queue,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
        "TRACE_EXPORT_TIMEOUT_S": "2",
        "METRICS_TOKEN": TOKEN,
    }
    with django_db_blocker.unblock():
        server = start_asgi_server(process_tmp, **env)
        worker = start_worker(process_tmp, SANDBOX_BASE_URL=f"{server.url}/sandbox", **env)
    yield server, port, queue
    stop_process(worker.proc)
    stop_process(server.proc)


def _scrape(url: str) -> dict:
    request = urllib.request.Request(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _tree(spans) -> list[str]:
    by_id = {s.span_id: s for s in spans}
    paths = []
    for span in spans:
        path, node = [], span
        while node is not None:
            path.append(node.name)
            node = by_id.get(node.parent_span_id) if node.parent_span_id else None
        paths.append(" / ".join(reversed(path)))
    return sorted(paths)


def test_example_b_trace_survives_a_receiver_outage_and_reexports_the_same_spans(
    traced_stack, finance_graph, team, token_for
):
    server, port, queue = traced_stack
    _, members = team
    operator = Api(server.url, token_for(members["operator"]))
    code, body = operator.post(
        "/api/conversations/", {"agent": str(finance_graph.entry_agent.pk), "inputs": EXAMPLE_B}
    )
    assert code == 201, body
    conversation_id = body["id"]
    operator.wait_status(conversation_id, {"awaiting_input", "failed"})
    code, pending = operator.get(f"/api/pending/?status=pending&conversation={conversation_id}")
    [action] = pending["results"]
    code, _ = operator.post(f"/api/pending/{action['id']}/resolve/", {"result": "2.5%"})
    assert code == 200
    # The receiver is down all along: the run is not held up by it, and nothing is lost.
    done = operator.wait_status(conversation_id, {"completed", "failed"})
    assert done["status"] == "completed", done["error"]
    state = wait_for(
        lambda: ConversationTrace.objects.filter(
            conversation_id=conversation_id, failed_attempts__gte=1, exported_seq=0
        ).first(),
        what="the end-of-turn export to fail",
    )
    assert state.exported_seq == 0 and state.last_error

    receiver = Receiver(port)
    try:
        current_app.send_task("observability.retry_exports", queue=queue)
        spans = wait_for(
            lambda: (
                [s for s in receiver.spans() if s.name == "invoke_agent graph-drawing-agent"]
                and receiver.spans()
            ),
            what="the retried export",
        )
        wait_for(
            lambda: ConversationTrace.objects.filter(
                conversation_id=conversation_id, exported_seq__gt=0, failed_attempts=0
            ).exists(),
            what="the export to be recorded",
        )
        sent = len(receiver.requests)
        resource = receiver.requests[0].resource_spans[0].resource
        service = {a.key: a.value.string_value for a in resource.attributes}
        assert service["service.name"] == "agent-studio"
        assert {s.trace_id for s in spans} == {trace_id_for(conversation_id).to_bytes(16, "big")}
        assert len({s.span_id for s in spans}) == len(spans)  # each span once
        assert _tree(spans) == sorted(
            [
                "invoke_agent finance-agent",
                "invoke_agent finance-agent / execute_tool transfer_to_ecb-interest-rate-agent",
                (
                    ecb := "invoke_agent finance-agent / execute_tool "
                    "transfer_to_ecb-interest-rate-agent / invoke_agent ecb-interest-rate-agent"
                ),
                f"{ecb} / chat mistral-large-latest",
                f"{ecb} / execute_tool get_european_central_bank_interest_rate",
                f"{ecb} / execute_tool get_european_central_bank_interest_rate"
                " / wait_for_person get_european_central_bank_interest_rate",
                f"{ecb} / execute_tool transfer_to_graph-drawing-agent",
                (
                    graph := f"{ecb} / execute_tool transfer_to_graph-drawing-agent"
                    " / invoke_agent graph-drawing-agent"
                ),
                f"{graph} / chat mistral-large-latest",
                f"{graph} / execute_tool code_interpreter",
            ]
        )
        named = {s.name: attributes(s) for s in spans}
        finance = named["invoke_agent finance-agent"]
        assert finance["gen_ai.provider.name"] == "mistral_ai"
        assert finance["gen_ai.conversation.id"] == conversation_id
        assert finance["gen_ai.agent.id"].startswith("ag_")
        transfer = named["execute_tool transfer_to_graph-drawing-agent"]
        assert transfer["gen_ai.transfer.mode"] == "pass_control"
        assert transfer["gen_ai.transfer.target.name"] == "graph-drawing-agent"
        wait = named["wait_for_person get_european_central_bank_interest_rate"]
        assert wait["agentstudio.pending.answered_by"] == "operator"
        assert named["execute_tool code_interpreter"]["gen_ai.tool.type"] == "extension"
        chats = [attributes(s) for s in spans if s.name.startswith("chat ")]
        assert sum(c["gen_ai.usage.input_tokens"] for c in chats) == done["usage"]["prompt_tokens"]
        assert (
            sum(c["gen_ai.usage.output_tokens"] for c in chats)
            == (done["usage"]["completion_tokens"])
        )
        assert all(c["gen_ai.usage.input_tokens"] > 0 for c in chats)

        # Exporting the conversation again from the start sends exactly the same spans.
        current_app.send_task("observability.turn_ended", args=[conversation_id, 0], queue=queue)
        wait_for(lambda: len(receiver.requests) > sent, what="the re-export")
        again = [
            s
            for request in receiver.requests[sent:]
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for s in scope.spans
        ]
        assert sorted((s.span_id, s.parent_span_id, s.name) for s in again) == sorted(
            (s.span_id, s.parent_span_id, s.name) for s in spans
        )
    finally:
        receiver.stop()

    # /metrics of the web process shows what the worker process counted, and its own sockets.
    samples = _scrape(server.url)
    outcome = "agentstudio_turn_duration_seconds_count"
    assert samples[(outcome, (("outcome", "awaiting_input"),))] == 1
    assert samples[(outcome, (("outcome", "completed"),))] == 1
    assert samples[("agentstudio_trace_exports_total", (("result", "failed"),))] >= 1
    assert samples[("agentstudio_events_total", ())] >= 61
    assert samples[("agentstudio_websocket_connections", ())] == 0

    headers = {"Authorization": f"Token {token_for(members['viewer'])}"}

    async def with_socket_open():
        url = f"{server.ws_url}/ws/feed/"
        async with websockets.connect(url, additional_headers=headers):
            return await asyncio.to_thread(_scrape, server.url)

    assert asyncio.run(with_socket_open())[("agentstudio_websocket_connections", ())] == 1
