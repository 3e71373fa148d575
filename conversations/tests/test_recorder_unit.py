"""The recorder on the handoffs guide's recorded streams: entries, the agent path, the function
call's arguments, the usage (no network, no database: nothing is flushed)."""

from __future__ import annotations

import json

from agents.models import Agent
from conversations import deltas
from conversations.engine.recorder import TurnRecorder
from conversations.events import STREAM_EVENT_TYPES
from conversations.models import Conversation, Turn
from conversations.tests.test_projection_unit import events_of


def turns_of(name: str) -> list[list[dict]]:
    """The fixture's stream events, one list per backend response."""
    turns: list[list[dict]] = []
    for event in events_of(name):
        if event["type"] == "conversation.response.started":
            turns.append([])
        if event["type"] in STREAM_EVENT_TYPES:
            turns[-1].append(event)
    return turns


def local_agents(name: str) -> dict[str, Agent]:
    """A local agent for every backend agent the fixture's handoffs name."""
    agents: dict[str, Agent] = {}
    for event in events_of(name):
        data = event["data"]
        for side in ("previous", "next"):
            remote = data.get(f"{side}_agent_id")
            if remote and remote not in agents:
                agents[remote] = Agent(name=data[f"{side}_agent_name"])
    return agents


def record(events: list[dict], agents: dict[str, Agent], conversation: Conversation, number=1):
    recorder = TurnRecorder(
        conversation, Turn(conversation=conversation, number=number), agents, next_position=1
    )
    for event in events:
        recorder.add(event["type"], event["data"])
    return recorder


def test_example_a_one_turn_through_three_agents():
    agents = local_agents("handoffs_example_a")
    finance = next(a for a in agents.values() if a.name == "finance-agent")
    conversation = Conversation(active_agent=finance, entry_agent=finance)
    [turn] = turns_of("handoffs_example_a")

    recorder = record(turn, agents, conversation)

    outputs = recorder.output_entries()
    assert [(e.type, e.agent.name) for e in outputs] == [
        ("agent.handoff", "finance-agent"),
        ("tool.execution", "websearch-agent"),
        ("message.output", "websearch-agent"),
        ("agent.handoff", "websearch-agent"),
        ("message.output", "calculator-agent"),
    ]
    assert [e.position for e in outputs] == [1, 2, 3, 4, 5]
    first, second = outputs[0], outputs[3]
    assert first.data["next_agent"] == str(agents[first.data["next_agent_id"]].pk)
    assert second.data["next_agent_name"] == "calculator-agent"
    assert outputs[2].data["chunks"][1]["url"].startswith("https://tradingeconomics.com/")
    assert conversation.active_agent.name == "calculator-agent" and recorder.agent_changed
    assert conversation.remote_id.startswith("conv_") and recorder.remote_id_changed
    assert recorder.done and not recorder.error and not recorder.files
    assert recorder.usage == turn[-1]["data"]["usage"]
    # Every event waits to be logged, the deltas of one entry folded together.
    expected = deltas.coalesce([(e["type"], e["data"]) for e in turn])
    assert recorder.buffer == expected and len(expected) < len(turn)


def test_example_b_two_turns_the_call_and_the_file():
    agents = local_agents("handoffs_example_b")
    finance = next(a for a in agents.values() if a.name == "finance-agent")
    conversation = Conversation(active_agent=finance, entry_agent=finance)
    first_turn, second_turn = turns_of("handoffs_example_b")

    first = record(first_turn, agents, conversation)
    [handoff, call] = first.output_entries()
    assert (handoff.agent.name, call.agent.name) == ("finance-agent", "ecb-interest-rate-agent")
    assert call.data["name"] == "get_european_central_bank_interest_rate"
    assert json.loads(call.data["arguments"]) == {"date": "2025-01-01"}
    assert conversation.active_agent.name == "ecb-interest-rate-agent"
    assert first.usage["total_tokens"] == 28 and first.done

    second = record(second_turn, agents, conversation, number=2)
    outputs = second.output_entries()
    assert [(e.type, e.agent.name) for e in outputs] == [
        ("agent.handoff", "ecb-interest-rate-agent"),
        ("message.output", "graph-drawing-agent"),
        ("tool.execution", "graph-drawing-agent"),
        ("message.output", "graph-drawing-agent"),
    ]
    assert conversation.active_agent.name == "graph-drawing-agent"
    [(chunk, key)] = second.files
    assert chunk["file_type"] == "png" and second.entries[key] is not None
    assert second.usage["connectors"] == {"code_interpreter": 1}


def test_a_backend_error_event_is_the_turns_error():
    agents = local_agents("handoffs_example_b")
    conversation = Conversation(active_agent=next(iter(agents.values())))
    events = [
        turns_of("handoffs_example_b")[0][0],
        {"type": "conversation.response.error", "data": {"message": "Overloaded", "code": 3000}},
    ]

    recorder = record(events, agents, conversation)

    assert recorder.error == "The backend reported an error: Overloaded (code 3000)"
    assert not recorder.done
