"""The orchestration guide's roles, played by the sandbox from instructions and input."""

import json

import pytest

from sandbox import patterns

CLASSIFIER = (
    "Classify requests into categories:\n- TECHNICAL: Requires technical analysis\n"
    "- RESEARCH: Requires web research\n- CREATIVE: Requires creative content\n"
    "- DATA: Requires data analysis\n\nOutput: Single word classification"
)
MANAGER = (
    "You are a task manager coordinating worker agents.\nAvailable workers:\n"
    "- Code Worker: Executes code, performs calculations\n"
    "- Search Worker: Searches web for information\n- Doc Worker: Retrieves company documents\n"
    "Assign each subtask to appropriate worker"
)


@pytest.mark.parametrize(
    ("request_text", "label"),
    [
        ("What are the latest AI trends?", "RESEARCH"),
        ("Calculate Fibonacci sequence", "TECHNICAL"),
        ("Create a sunset landscape", "CREATIVE"),
        ("Classify this request: What are the latest AI trends?", "RESEARCH"),
    ],
)
def test_the_guides_usage_lines_route_as_it_says(request_text, label):
    assert patterns.reply(CLASSIFIER, request_text) == label


def test_a_judge_names_one_candidate():
    request = "Evaluate\n\nCANDIDATE 1 (a):\nrisky\n\nCANDIDATE 2 (b):\nclear rationale approach"
    verdict = json.loads(
        patterns.reply(
            "You evaluate competing strategies. Provide clear rationale approach.", request
        )
    )
    assert verdict["winner"] == 2


def test_a_manager_assigns_numbered_lines_to_its_workers():
    request = (
        "User request: Analyze Q4:\n1. Retrieve Q4 financial report from company documents\n"
        "2. Search web for industry benchmarks\n3. Calculate performance metrics\n\n"
        "Available workers: code, search, doc."
    )
    plan = json.loads(patterns.reply(MANAGER, request))
    assert [s["worker"] for s in plan["subtasks"]] == ["Doc Worker", "Search Worker", "Code Worker"]
    # Without a list, every worker gets the request.
    plan = json.loads(patterns.reply(MANAGER, "User request: Analyze Q4"))
    assert {s["worker"] for s in plan["subtasks"]} == {"Code Worker", "Search Worker", "Doc Worker"}
    # Synthesizing results is not planning.
    assert patterns.reply(MANAGER, "Synthesize\n\nSUBTASK 1 (code): x\nRESULT:\ny") is None


def test_a_decomposer_splits_lists_and_executes_simple_tasks():
    task = (
        "Analyze this task: Build a comprehensive AI strategy including technology assessment, "
        "talent planning, and implementation roadmap"
    )
    reply = patterns.reply("You decompose complex tasks into simpler subtasks.", task)
    assert "ACTION: DECOMPOSE" in reply
    assert reply.endswith("- technology assessment\n- talent planning\n- implementation roadmap")
    simple = patterns.reply("You decompose complex tasks.", "Analyze this task: talent planning")
    assert "ACTION: EXECUTE" in simple


def test_other_agents_are_left_to_the_policy():
    assert patterns.reply("You are a helpful assistant.", "Calculate Fibonacci sequence") is None
