"""The start form's example prompts really do what they say under the sandbox's policy: each demo
graph's examples are played through the policy in-process (no server) with the demo's agents."""

from __future__ import annotations

import pytest

from agents.demo import DEMO_GRAPHS
from conversations.examples import EXAMPLE_PROMPTS
from sandbox import wire
from sandbox.policy import run_turn
from sandbox.specs import AgentSpec


def _agents(document):
    ids = {agent["name"]: f"ag_{i}" for i, agent in enumerate(document["agents"])}
    specs = {}
    for agent in document["agents"]:
        config = {**agent, "handoffs": [ids[name] for name in agent.get("handoffs", [])]}
        specs[ids[agent["name"]]] = AgentSpec.from_config(ids[agent["name"]], config)
    return specs, specs[ids[document["entry_agent"]]]


def route(document, prompt: str) -> list[str]:
    """What the conversation does, answering each function call with "2.5%"."""
    agents, active = _agents(document)
    history, trail = [wire.message_input(prompt)], []
    for _ in range(4):
        result = run_turn(history, active, agents.get)
        for output in result.outputs:
            kind = output["type"]
            if kind == "agent.handoff":
                trail.append(f"handoff {output['next_agent_name']}")
            elif kind in ("function.call", "tool.execution"):
                trail.append(f"{kind} {output['name']}")
        history += result.outputs
        active = agents[result.active_agent_id]
        calls = [o for o in result.outputs if o["type"] == "function.call"]
        if not calls:
            return trail
        history += [wire.function_result(c["tool_call_id"], "2.5%") for c in calls]
    return trail


EXPECTED = {
    "Finance": [
        [
            "handoff ecb-interest-rate-agent",
            "function.call get_european_central_bank_interest_rate",
            "handoff graph-drawing-agent",
            "tool.execution code_interpreter",
        ],
        [
            "handoff ecb-interest-rate-agent",
            "function.call get_european_central_bank_interest_rate",
        ],
        ["handoff websearch-agent", "tool.execution web_search"],
        ["handoff websearch-agent", "tool.execution web_search", "handoff calculator-agent"],
    ],
    "Customer support": [
        ["handoff Billing Support", "tool.execution document_library"],
        [
            "handoff Technical Support",
            "tool.execution document_library",
            "tool.execution code_interpreter",
        ],
        ["handoff Sales", "tool.execution web_search"],
    ],
    "Orchestration patterns": [["tool.execution web_search"], ["tool.execution web_search"]],
}


@pytest.mark.parametrize("document", DEMO_GRAPHS, ids=lambda d: d["name"])
def test_each_demo_graphs_examples_take_the_route_they_describe(document):
    examples = EXAMPLE_PROMPTS[document["name"]]
    assert [route(document, e.prompt) for e in examples] == EXPECTED[document["name"]]
    for example, expected in zip(examples, EXPECTED[document["name"]], strict=True):
        for step in expected:  # the description names every agent the route reaches
            if step.startswith("handoff "):
                assert step.removeprefix("handoff ") in example.shows, example.prompt


def test_every_demo_graph_has_examples():
    assert set(EXAMPLE_PROMPTS) == {d["name"] for d in DEMO_GRAPHS}
