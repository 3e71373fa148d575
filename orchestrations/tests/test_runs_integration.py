"""Every pattern of the guide through the real stack: a Celery worker process, Redis, the live
server and the sandbox behind the real mistralai SDK."""

from __future__ import annotations

import pytest

from conversations.models import Conversation
from orchestrations.models import Orchestration
from orchestrations.tests.runs import (
    FINAL,
    conversation_span,
    events,
    make,
    start,
    steps,
    wait_run,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _named(graph, name):
    return Orchestration.objects.get(graph=graph, name=name)


def test_linear_pipeline_passes_state(guide_graph, team, api_for, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    run_id = start(api, _named(guide_graph, "Research → analysis → report"), "Quantum computing")
    body = wait_run(api, run_id)
    assert body["status"] == "completed", body
    tree = steps(body)
    assert list(tree) == [
        "spec",
        "spec.sequence[0]",
        "spec.sequence[1]",
        "spec.sequence[2]",
    ]
    research, analysis, report = (tree[f"spec.sequence[{i}]"] for i in range(3))
    assert [research["agent"], analysis["agent"], report["agent"]] == [
        "Research Agent",
        "Analysis Agent",
        "Report Agent",
    ]
    assert all(s["status"] == "completed" and s["output"] for s in (research, analysis, report))
    assert body["output"] == report["output"] == tree["spec"]["output"]
    # Each step's conversation received what the template said, with the earlier outputs in it.
    report_input = Conversation.objects.get(pk=report["conversation"]).entries.first().text
    assert research["output"] in report_input and analysis["output"] in report_input
    assert (
        Conversation.objects.get(pk=research["conversation"]).entries.first().text
    ) == "Research: Quantum computing"
    kinds = [e["type"] for e in events(api, run_id)]
    assert kinds.count("step.started") == 4 and kinds.count("step.finished") == 4
    assert kinds[0] == "run.status" and kinds[-1] == "run.status"
    started = [e["data"] for e in events(api, run_id) if e["type"] == "step.started"]
    assert all(d["conversation"] for d in started if d["kind"] == "agent")


@pytest.mark.parametrize(
    ("request_text", "label", "specialist"),
    [
        ("What are the latest AI trends?", "RESEARCH", "Research Specialist"),
        ("Calculate Fibonacci sequence", "TECHNICAL", "Technical Specialist"),
        ("Create a sunset landscape", "CREATIVE", "Creative Specialist"),
    ],
)
def test_route_picks_the_labelled_branch(
    guide_graph, team, api_for, celery_worker_process, request_text, label, specialist
):
    _, members = team
    api = api_for(members["operator"])
    body = wait_run(api, start(api, _named(guide_graph, "Conditional router"), request_text))
    assert body["status"] == "completed", body
    tree = steps(body)
    assert tree["spec.route"]["output"].strip() == label
    assert set(tree) == {"spec", "spec.route", f"spec.routes.{label}"}
    assert tree[f"spec.routes.{label}"]["agent"] == specialist
    assert tree["spec"]["detail"]["label"] == label
    # The specialist gets the request itself, as in the guide.
    branch = Conversation.objects.get(pk=tree[f"spec.routes.{label}"]["conversation"])
    assert branch.entries.first().text == request_text


def test_parallel_branches_overlap_and_merge(guide_graph, team, api_for, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    slow = {"sandbox_delay_ms": 60}
    spec = {
        "parallel": [
            {"agent": name, "input": "Research {input}", "metadata": slow}
            for name in ("Tech Researcher", "Market Researcher", "Academic Researcher")
        ],
        "merge": {"agent": "Research Synthesizer"},
    }
    run_id = start(api, make(guide_graph, members["admin"], spec), "AI in healthcare")
    body = wait_run(api, run_id)
    assert body["status"] == "completed", body
    tree = steps(body)
    branches = [tree[f"spec.parallel[{i}]"] for i in range(3)]
    spans = [conversation_span(api, b["conversation"]) for b in branches]
    # Really concurrent: every branch started before any of them ended.
    assert max(start for start, _ in spans) < min(end for _, end in spans), spans
    merge_input = Conversation.objects.get(pk=tree["spec.merge"]["conversation"]).entries.first()
    for index, branch in enumerate(branches, 1):
        assert f"BRANCH {index} ({branch['agent']})" in merge_input.text
        assert branch["output"] in merge_input.text
    assert body["output"] == tree["spec.merge"]["output"]


def test_compete_judge_names_the_winner(guide_graph, team, api_for, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    orchestration = _named(guide_graph, "Competitive strategy team")
    body = wait_run(api, start(api, orchestration, "Should we migrate to microservices?"))
    assert body["status"] == "completed", body
    tree = steps(body)
    winner = tree["spec"]["detail"]["winner"]
    assert 1 <= winner <= 3
    assert body["output"] == tree[f"spec.compete[{winner - 1}]"]["output"]
    assert f'"winner": {winner}' in tree["spec.judge"]["output"]


def test_manager_delegates_to_named_workers(guide_graph, team, api_for, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    request = (
        "Analyze our company's Q4 performance:\n1. Retrieve Q4 financial report from docs\n"
        "2. Search for industry benchmarks\n3. Calculate performance metrics"
    )
    body = wait_run(api, start(api, _named(guide_graph, "Manager-worker"), request))
    assert body["status"] == "completed", body
    tree = steps(body)
    subtasks = tree["spec"]["detail"]["subtasks"]
    assert [s["worker"] for s in subtasks] == ["doc", "search", "code"]
    assert [tree[f"spec.subtasks[{i}]"]["agent"] for i in range(3)] == [
        "Doc Worker",
        "Search Worker",
        "Code Worker",
    ]
    synth = Conversation.objects.get(pk=tree["spec.synthesize"]["conversation"]).entries.first()
    assert "SUBTASK 3 (code): 3. Calculate performance metrics" in synth.text or (
        "SUBTASK 3 (code): Calculate performance metrics" in synth.text
    )
    assert body["output"] == tree["spec.synthesize"]["output"]


def test_recursive_decomposition(guide_graph, team, api_for, celery_worker_process):
    _, members = team
    api = api_for(members["operator"])
    task = (
        "Build a comprehensive AI strategy including technology assessment, talent planning, "
        "and implementation roadmap"
    )
    body = wait_run(api, start(api, _named(guide_graph, "Recursive decomposition"), task))
    assert body["status"] == "completed", body
    tree = steps(body)
    assert "ACTION: DECOMPOSE" in tree["spec.recurse"]["output"]
    for index in range(3):
        assert "ACTION: EXECUTE" in tree[f"spec.parts[{index}].recurse"]["output"]
        assert tree[f"spec.parts[{index}].execute"]["agent"] == "Task Executor"
    assert "PART 2: talent planning" in body["output"]


def test_failing_step_retries_then_its_fallback_runs(
    guide_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    fault = {"sandbox_fault": "response_error", "sandbox_fault_times": 5}
    spec = {
        "agent": "Research Agent",
        "metadata": {**fault, "sandbox_fault_key": f"retry-{guide_graph.pk}"},
        "retry": {"attempts": 2, "backoff_s": 0.5},
        "fallback": {"agent": "Report Agent", "input": "Fallback for: {input}"},
    }
    run_id = start(api, make(guide_graph, members["admin"], spec), "Renewable energy")
    body = wait_run(api, run_id)
    assert body["status"] == "completed", body
    tree = steps(body)
    assert tree["spec"]["status"] == "failed" and tree["spec"]["attempt"] == 2
    assert len(tree["spec"]["attempts"]) == 1
    assert tree["spec.fallback"]["status"] == "completed"
    assert body["output"] == tree["spec.fallback"]["output"]
    kinds = [e["type"] for e in events(api, run_id)]
    assert kinds.index("step.retried") < kinds.index("step.failed")
    retried = next(e for e in events(api, run_id) if e["type"] == "step.retried")
    assert retried["data"]["path"] == "spec" and retried["data"]["conversation"]


def test_failed_step_without_fallback_fails_the_run(
    guide_graph, team, api_for, celery_worker_process
):
    _, members = team
    api = api_for(members["operator"])
    fault = {"sandbox_fault": "response_error", "sandbox_fault_key": f"f-{guide_graph.pk}"}
    spec = {"sequence": [{"agent": "Research Agent", "metadata": fault}, {"agent": "Report Agent"}]}
    body = wait_run(api, start(api, make(guide_graph, members["admin"], spec), "x"))
    assert body["status"] == "failed"
    assert body["error"] and set(steps(body)) == {"spec", "spec.sequence[0]"}
    assert FINAL
