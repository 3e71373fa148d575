"""The spec validator: every pattern of the guide is valid; each mistake is named by its path."""

from __future__ import annotations

import pytest

from agents.demo_orchestrations import ORCHESTRATION_GUIDE, ORCHESTRATIONS
from orchestrations.spec import MAX_NESTING, MAX_STEPS, agent_names, spec_errors

AGENTS = {agent["name"] for agent in ORCHESTRATION_GUIDE["agents"]}
A = {"agent": "Research Agent"}


@pytest.mark.parametrize("item", ORCHESTRATIONS, ids=lambda item: item["name"])
def test_the_guides_patterns_are_valid(item):
    assert spec_errors(item["spec"], AGENTS) == {}
    assert agent_names(item["spec"]) <= AGENTS


@pytest.mark.parametrize(
    ("spec", "path", "words"),
    [
        ({"parallel": [A, {"agent": "Nobody"}]}, "spec.parallel[1].agent", "Unknown agent"),
        ({"parallel": []}, "spec.parallel", "at least 1"),
        ({"sequence": []}, "spec.sequence", "at least 1"),
        ({"route": A, "routes": {}}, "spec.routes", "at least one label"),
        ({"route": A}, "spec.routes", "at least one label"),
        ({"route": A, "routes": {"bad label!": A}}, "spec.routes.bad label!", "letters"),
        ({"route": A, "routes": {"X": A, "x": A}}, "spec.routes.x", "Another label"),
        ({"compete": [A], "judge": A}, "spec.compete", "at least 2"),
        ({"compete": [A, A]}, "spec.judge", "Add the judge"),
        ({"delegate": A, "workers": {}}, "spec.workers", "at least one worker"),
        ({"delegate": A, "workers": {"w": A}, "max_subtasks": 99}, "spec.max_subtasks", "1 to 10"),
        ({"recurse": A, "execute": A, "max_depth": 9}, "spec.max_depth", "1 to 4"),
        ({"recurse": A}, "spec.execute", "Add the execute"),
        ({**A, "retry": {"attempts": True}}, "spec.retry.attempts", "whole number"),
        ({**A, "retry": {"tries": 2}}, "spec.retry", "attempts"),
        ({**A, "timeout_s": -1}, "spec.timeout_s", "number from 1"),
        ({**A, "fallback": {"agent": "Ghost"}}, "spec.fallback.agent", "Unknown agent"),
        ({**A, "input": "{nope}"}, "spec.input", "{input}"),
        ({**A, "input": "{steps.missing}"}, "spec.input", "no step has the id"),
        ({**A, "colour": "red"}, "spec.colour", "Unknown key"),
        ({"agent": "Research Agent", "sequence": [A]}, "spec", "exactly one"),
        ({}, "spec", "Say what the step is"),
        ([A], "spec", "JSON object"),
        ("agent", "spec", "JSON object"),
        ({"sequence": [{**A, "id": "a"}, {**A, "id": "a"}]}, "spec.sequence[1].id", "Another"),
        ({**A, "metadata": "x"}, "spec.metadata", "object"),
    ],
)
def test_a_bad_spec_is_named_by_the_path_of_its_node(spec, path, words):
    errors = spec_errors(spec, AGENTS)
    assert path in errors, errors
    assert any(words in message for message in errors[path]), errors[path]


def test_limits_nesting_and_total_steps():
    deep: dict = A
    for _ in range(MAX_NESTING + 1):
        deep = {"sequence": [deep]}
    errors = spec_errors(deep, AGENTS)
    assert any("Nested too deeply" in m for messages in errors.values() for m in messages)

    wide = {"sequence": [{"parallel": [A] * 10} for _ in range(7)]}
    errors = spec_errors(wide, AGENTS)
    assert any(f"At most {MAX_STEPS} steps" in m for m in errors["spec"])


def test_hostile_specs_are_refused_cheaply():
    assert "spec" in spec_errors({"agent": "x" * 70_000}, AGENTS)
    nested: list = []
    for _ in range(200):
        nested = [nested]
    assert spec_errors({"sequence": nested}, AGENTS) == {"spec": ["Nested too deeply."]}
    assert "spec.agent" in spec_errors({"agent": 5}, AGENTS)
    assert "spec.input" in spec_errors({**A, "input": ["not", "text"]}, AGENTS)


def test_templates_may_name_earlier_steps():
    spec = {"sequence": [{**A, "id": "first"}, {**A, "input": "{input} / {steps.first}"}]}
    assert spec_errors(spec, AGENTS) == {}
