"""The projection on the handoffs guide's two recorded transcripts (no network, no database).

The fixtures are the event logs and the entries the real engine wrote for them
(`scripts/record_event_fixtures.py`); the projection of the log must be those entries."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conversations.events import event_json_schema
from conversations.projection import Projection, project_entries

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = ["handoffs_example_a", "handoffs_example_b"]


def events_of(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / f"{name}.jsonl").read_text().splitlines()]


def entries_of(name: str) -> list[dict]:
    return json.loads((FIXTURES / f"{name}.entries.json").read_text())


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_projection_of_the_log_is_what_the_engine_wrote(name):
    projected = project_entries(events_of(name))

    expected = entries_of(name)
    assert [{k: e[k] for k in expected[0]} for e in projected] == expected


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_logged_event_fits_the_catalogues_json_schema(name):
    validator = jsonschema.Draft202012Validator(event_json_schema())
    for event in events_of(name):
        errors = [e.message for e in validator.iter_errors(event)]
        assert not errors, (event["seq"], event["type"], errors[:3])


def test_example_a_the_guides_transcript():
    entries = project_entries(events_of("handoffs_example_a"))

    assert [(e["type"], e["agent_name"]) for e in entries] == [
        ("message.input", None),
        ("agent.handoff", "finance-agent"),
        ("tool.execution", "websearch-agent"),
        ("message.output", "websearch-agent"),
        ("agent.handoff", "websearch-agent"),
        ("message.output", "calculator-agent"),
    ]
    first, second = (e["data"] for e in entries if e["type"] == "agent.handoff")
    assert (first["previous_agent_name"], first["next_agent_name"]) == (
        "finance-agent",
        "websearch-agent",
    )
    assert second["next_agent_name"] == "calculator-agent"
    search = entries[2]["data"]
    assert search["name"] == "web_search" and search["done"] is True
    assert json.loads(search["arguments"]) == {"query": "current US bank interest rate"}
    found = entries[3]
    assert [c["type"] for c in found["data"]["chunks"]] == ["text", "tool_reference", "text"]
    assert found["text"].startswith("The current US bank interest rate is 4.50 percent.")
    answer = json.loads(entries[5]["text"])
    assert answer["result"] == "The future value of the investment after 10 years is $1,540.10."


def test_example_b_the_agent_path_the_call_and_the_usage():
    events = events_of("handoffs_example_b")
    projection = Projection()
    for event in events:
        projection.apply(event["type"], event["data"])
    entries = projection.entry_list()

    assert [(e["type"], e["agent_name"]) for e in entries] == [
        ("message.input", None),
        ("agent.handoff", "finance-agent"),
        ("function.call", "ecb-interest-rate-agent"),
        ("function.result", "ecb-interest-rate-agent"),
        ("agent.handoff", "ecb-interest-rate-agent"),
        ("message.output", "graph-drawing-agent"),
        ("tool.execution", "graph-drawing-agent"),
        ("message.output", "graph-drawing-agent"),
    ]
    call = entries[2]["data"]
    assert call["name"] == "get_european_central_bank_interest_rate"
    assert json.loads(call["arguments"]) == {"date": "2025-01-01"}
    assert entries[3]["data"] == {
        "tool_call_id": call["tool_call_id"],
        "result": "2.5%",
        "name": "get_european_central_bank_interest_rate",
    }
    assert "0.025" in entries[6]["data"]["info"]["code"]
    [(chunk, key)] = projection.files
    assert chunk["type"] == "tool_file" and chunk["file_type"] == "png"
    assert key == entries[7]["key"]
    assert projection.agent_names[projection.active_agent_id] == "graph-drawing-agent"
    dones = [e["data"]["usage"] for e in events if e["type"] == "conversation.response.done"]
    assert len(dones) == 2
    assert projection.usage == dones[-1]
    assert projection.total_usage["total_tokens"] == sum(u["total_tokens"] for u in dones) > 0


def test_a_failed_turn_loses_its_half_written_outputs():
    events = events_of("handoffs_example_b")
    # The second turn fails after its first handoff, as the worker would log it.
    cut = next(e["seq"] for e in events if e["type"] == "agent.handoff.done" and e["seq"] > 12)
    failed = {"seq": cut + 1, "type": "conversation.status", "data": {"status": "failed"}}
    entries = project_entries([e for e in events if e["seq"] <= cut] + [failed])

    assert [e["type"] for e in entries] == [
        "message.input",
        "agent.handoff",
        "function.call",
        "function.result",
    ]


def test_the_projection_is_json_simple_and_deterministic():
    events = events_of("handoffs_example_b")
    first = json.dumps(project_entries(events), sort_keys=True)
    assert json.dumps(project_entries(reversed(events)), sort_keys=True) == first
    assert json.loads(first) == project_entries(events)
