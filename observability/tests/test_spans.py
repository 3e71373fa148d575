"""The span builder on the recorded logs of the handoffs guide's examples (no database)."""

import json
from pathlib import Path

from observability.spans import (
    AgentMeta,
    ConversationMeta,
    build_spans,
    error_kind,
    span_id_for,
    trace_id_for,
    turn_durations,
)

FIXTURES = Path(__file__).resolve().parents[2] / "conversations" / "tests" / "fixtures"
PENDING = "215a460b-897e-409b-b359-e6608fe9723b"
META = ConversationMeta(
    id="c0ffee00-0000-4000-8000-000000000001",
    entry_agent="finance-agent",
    agents={"finance-agent": AgentMeta(id="a1", name="finance-agent", model="mistral-medium")},
    answered_by={PENDING: "operator"},
)


def _log(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / f"{name}.jsonl").read_text().splitlines()]


def _paths(spans) -> list[str]:
    by_id = {s.span_id: s for s in spans}
    out = []
    for span in spans:
        names, node = [], span
        while node is not None:
            names.append(node.name)
            node = by_id.get(node.parent_id)
        out.append(" / ".join(reversed(names)))
    return out


def test_example_b_is_finance_transfer_ecb_transfer_graph_drawing():
    spans = build_spans(_log("handoffs_example_b"), META)
    paths = _paths(spans)
    ecb = (
        "invoke_agent finance-agent / execute_tool transfer_to_ecb-interest-rate-agent"
        " / invoke_agent ecb-interest-rate-agent"
    )
    graph = (
        f"{ecb} / execute_tool transfer_to_graph-drawing-agent / invoke_agent graph-drawing-agent"
    )
    call = f"{ecb} / execute_tool get_european_central_bank_interest_rate"
    assert set(paths) == {
        "invoke_agent finance-agent",
        "invoke_agent finance-agent / execute_tool transfer_to_ecb-interest-rate-agent",
        ecb,
        f"{ecb} / chat mistral-large-latest",
        call,
        f"{call} / wait_for_person get_european_central_bank_interest_rate",
        f"{ecb} / execute_tool transfer_to_graph-drawing-agent",
        graph,
        f"{graph} / chat mistral-large-latest",
        f"{graph} / execute_tool code_interpreter",
    }
    by_name = {s.name: s for s in spans}
    transfer = by_name["execute_tool transfer_to_graph-drawing-agent"].attributes
    assert transfer["gen_ai.transfer.mode"] == "pass_control"
    assert transfer["gen_ai.transfer.target.id"] == "ag_20f2174797b74e2bb8a721ab278b3095"
    finance = by_name["invoke_agent finance-agent"].attributes
    assert finance["gen_ai.agent.id"] == "ag_429cd01064cc4ede905db857c9b50627"
    assert finance["gen_ai.request.model"] == "mistral-medium"
    assert finance["gen_ai.provider.name"] == "mistral_ai"
    wait = by_name["wait_for_person get_european_central_bank_interest_rate"].attributes
    assert wait["agentstudio.pending.answered_by"] == "operator"
    chats = [s.attributes for s in spans if s.name.startswith("chat")]
    assert [(c["gen_ai.usage.input_tokens"], c["gen_ai.usage.output_tokens"]) for c in chats] == [
        (26, 2),
        (41, 75),
    ]
    graph_agent = by_name["invoke_agent graph-drawing-agent"].attributes
    assert graph_agent["gen_ai.usage.output_tokens"] == 75
    assert all(s.end >= s.start and not s.error_type for s in spans)


def test_ids_are_stable_and_spans_never_change_once_ended():
    log = _log("handoffs_example_b")
    whole = build_spans(log, META)
    assert [(s.span_id, s.parent_id) for s in whole] == [
        (s.span_id, s.parent_id) for s in build_spans(log, META)
    ]
    assert {s.trace_id for s in whole} == {trace_id_for(META.id)}
    assert span_id_for(META.id, "agent:5") in {s.span_id for s in whole}
    # Up to the human wait: only what has ended, and exactly as in the whole log.
    first_turn = build_spans(log[:12], META)
    assert {s.name for s in first_turn} == {
        "invoke_agent finance-agent",
        "execute_tool transfer_to_ecb-interest-rate-agent",
        "chat mistral-large-latest",
    }
    ended = {s.span_id: s for s in whole}
    for span in first_turn:
        assert span.attributes == ended[span.span_id].attributes
        assert span.end == ended[span.span_id].end


def test_example_a_has_the_web_search_under_its_agent():
    paths = _paths(build_spans(_log("handoffs_example_a"), META))
    assert (
        "invoke_agent finance-agent / execute_tool transfer_to_websearch-agent"
        " / invoke_agent websearch-agent / execute_tool web_search"
    ) in paths
    assert paths[-1].endswith("invoke_agent calculator-agent")


def test_a_failed_turn_marks_the_agent_and_its_open_tools_with_error_type():
    log = _log("handoffs_example_b")[:9] + [
        {
            "seq": 10,
            "type": "conversation.status",
            "data": {"status": "failed", "error": "The backend answered HTTP 500: boom"},
        }
    ]
    spans = {s.name: s for s in build_spans(log, META)}
    agent = spans["invoke_agent ecb-interest-rate-agent"]
    assert agent.error_type == "http_500" and agent.attributes["error.type"] == "http_500"
    assert spans["execute_tool get_european_central_bank_interest_rate"].error_type == (
        "turn_failed"
    )
    assert spans["invoke_agent finance-agent"].error_type == ""


def test_response_error_and_error_kinds():
    log = _log("handoffs_example_b")[:4] + [
        {"seq": 5, "type": "conversation.response.error", "data": {"message": "x", "code": 3000}},
        {"seq": 6, "type": "conversation.status", "data": {"status": "failed", "error": "x"}},
    ]
    [chat, agent] = build_spans(log, META)
    assert agent.error_type == "response_error_3000" and chat.error_type == "response_error_3000"
    assert error_kind("The backend could not be reached: ConnectError") == "unreachable"
    assert error_kind("The backend's stream ended before the turn was complete") == (
        "dropped_stream"
    )


def test_turn_durations_from_running_to_the_end_of_the_turn():
    log = [
        {"seq": 1, "type": "conversation.status", "data": {"status": "running"},
         "created_at": "2026-01-01T00:00:00Z"},
        {"seq": 2, "type": "conversation.status", "data": {"status": "awaiting_input"},
         "created_at": "2026-01-01T00:00:02Z"},
        {"seq": 3, "type": "conversation.status", "data": {"status": "running"},
         "created_at": "2026-01-01T00:01:00Z"},
        {"seq": 4, "type": "conversation.status", "data": {"status": "completed"},
         "created_at": "2026-01-01T00:01:05.5Z"},
    ]  # fmt: skip
    assert turn_durations(log) == [(2, "awaiting_input", 2.0), (4, "completed", 5.5)]
