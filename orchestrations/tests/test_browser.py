"""The builder and the run page in real Chromium, against the live server and a real worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agents.services import agent_create
from orchestrations.models import Orchestration, OrchestrationRun
from orchestrations.services import orchestration_create, run_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_builder_templates_validation_save_and_run(
    guide_graph, team, signed_in_page, asgi_server, celery_worker_process
):
    _, members = team
    page = signed_in_page(members["editor"])
    page.goto(f"{asgi_server.url}/graphs/{guide_graph.pk}/edit/")
    page.get_by_role("link", name="Orchestrations").click()
    expect(
        page.get_by_role("heading", name="Orchestrations of Orchestration patterns")
    ).to_be_visible()
    expect(page.locator("#orch-validity")).to_have_text("Valid")  # the first demo orchestration

    # A template per pattern, shown as a tree.
    page.get_by_role("button", name="New orchestration").click()
    page.get_by_role("button", name="Fan-out/fan-in").click()
    expect(page.locator("#orch-tree [data-path='spec.parallel[2]']")).to_be_visible()
    expect(page.locator("#orch-tree [data-path='spec.merge']")).to_be_visible()

    # Validation as you type, naming the node.
    spec = page.get_by_label("Spec (JSON)")
    spec.fill('{"parallel": [{"agent": "Research Agent"}, {"agent": "Nobody"}]}')
    expect(page.locator("#orch-errors")).to_contain_text("spec.parallel[1].agent")
    expect(page.locator("#orch-validity")).to_have_text("1 problem")
    expect(page.locator("#orch-tree .invalid[data-path='spec.parallel[1]']")).to_be_visible()
    spec.fill('{"parallel": [')
    expect(page.locator("#orch-errors")).to_contain_text("Not valid JSON yet.")
    spec.fill(
        '{"route": {"agent": "Request Classifier"}, "routes": {"TECHNICAL": '
        '{"agent": "Technical Specialist"}, "CREATIVE": {"agent": "Creative Specialist"}}}'
    )
    expect(page.locator("#orch-validity")).to_have_text("Valid")
    expect(page.get_by_role("button", name="Run")).to_be_disabled()

    page.get_by_label("Name").fill("Two-way router")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#orch-saved")).to_have_text("Saved.")
    assert Orchestration.objects.filter(graph=guide_graph, name="Two-way router").exists()

    page.get_by_label("Run input").fill("Create a sunset landscape")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url(re.compile(r"/orchestration-runs/[0-9a-f-]+/$"))
    expect(page.locator("#run")).to_have_attribute("data-status", "completed", timeout=60_000)
    expect(page.locator(".orch-step[data-path='spec.routes.CREATIVE']")).to_be_visible()
    expect(page.locator(".orch-step[data-path='spec.routes.TECHNICAL']")).to_have_count(0)


def test_builder_is_read_only_for_a_viewer_and_404_for_an_outsider(
    guide_graph, team, signed_in_page, asgi_server, page
):
    _, members = team
    signed_in_page(members["viewer"])
    response = page.goto(f"{asgi_server.url}/graphs/{guide_graph.pk}/orchestrations/")
    assert response.status == 200
    expect(
        page.get_by_text("Read-only: editing orchestrations needs the editor role.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_label("Run input")).to_have_count(0)


def test_outsider_gets_404_for_the_pages(guide_graph, team, signed_in_page, asgi_server, page):
    _, members = team
    run = run_start(
        actor=members["admin"],
        orchestration=Orchestration.objects.get(graph=guide_graph, name="Conditional router"),
        inputs="x",
    )
    signed_in_page(members["outsider"])
    assert page.goto(f"{asgi_server.url}/graphs/{guide_graph.pk}/orchestrations/").status == 404
    assert page.goto(f"{asgi_server.url}/orchestration-runs/{run.pk}/").status == 404


def test_run_page_streams_steps_in_lanes_and_answers_the_call_inline(
    guide_graph, team, signed_in_page, asgi_server, celery_worker_process, csp_watch
):
    _, members = team
    agent_create(
        actor=members["admin"],
        graph=guide_graph,
        name="Stock Agent",
        instructions="Answer with stock prices.",
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "get_stock_price",
                    "description": "Get the current stock price of a company",
                    "parameters": {"type": "object", "properties": {"ticker": {"type": "string"}}},
                },
            }
        ],
    )
    orchestration = orchestration_create(
        actor=members["admin"],
        graph=guide_graph,
        name="Stocks and market",
        spec={
            "parallel": [
                {"agent": "Stock Agent", "input": "Get the stock price of ACME"},
                {"agent": "Market Researcher", "metadata": {"sandbox_delay_ms": 30}},
            ],
            "merge": {"agent": "Research Synthesizer"},
        },
    )
    page = signed_in_page(members["operator"])
    page.goto(f"{asgi_server.url}/graphs/{guide_graph.pk}/orchestrations/")
    page.get_by_role("button", name="Stocks and market").click()
    page.get_by_label("Run input").fill("ACME outlook")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url(re.compile(r"/orchestration-runs/[0-9a-f-]+/$"))
    run = OrchestrationRun.objects.get(orchestration=orchestration)

    expect(page.locator("#connection")).to_have_text("Live")
    lanes = page.locator(".orch-step[data-path='spec'] > .orch-lanes > .orch-step")
    expect(lanes).to_have_count(2)
    market = page.locator(".orch-step[data-path='spec.parallel[1]']")
    expect(market).to_have_attribute("data-status", "completed", timeout=60_000)
    expect(market.locator(".orch-output")).to_contain_text("Market Researcher")
    expect(market.locator(".orch-timeline .entry-message")).to_contain_text("Market Researcher")
    expect(market.locator(".orch-step-head .orch-tokens")).to_contain_text("tokens")

    # The call waits inline, in its branch's timeline, with the form to answer it in place.
    stock = page.locator(".orch-step[data-path='spec.parallel[0]']")
    expect(stock).to_have_attribute("data-status", "awaiting_input")
    expect(stock.locator(".orch-pending")).to_be_visible()
    expect(stock.locator("details.orch-conversation")).to_have_attribute("open", "")
    call = stock.locator(".orch-timeline li.entry-call")
    expect(call).to_have_class(re.compile(r"\bis-pending\b"))
    expect(call.locator(".entry-head")).to_contain_text("calls get_stock_price")
    expect(call.locator(".call-state")).to_contain_text("Waiting for a result.")
    expect(page.locator("#run")).to_have_attribute("data-status", "awaiting_input")

    # The inbox says which run and step the call belongs to.
    page.goto(f"{asgi_server.url}/inbox/")
    card = page.locator(".pending-card", has_text="get_stock_price")
    expect(card.locator(".pending-orchestration")).to_contain_text("spec.parallel[0]")

    # Back on the run page (the log replayed), answered in place; the run then completes.
    page.goto(f"{asgi_server.url}/orchestration-runs/{run.pk}/")
    call = page.locator(".orch-step[data-path='spec.parallel[0]'] .orch-timeline li.entry-call")
    expect(call).to_have_class(re.compile(r"\bis-pending\b"))
    call.get_by_label("Result of get_stock_price").fill("ACME: 42.0")
    call.get_by_role("button", name="Send result").click()
    expect(call).not_to_have_class(re.compile(r"\bis-pending\b"))
    expect(call.locator(".call-state")).to_contain_text("Answered")
    expect(page.locator("#run")).to_have_attribute("data-status", "completed", timeout=60_000)
    stock = page.locator(".orch-step[data-path='spec.parallel[0]']")
    expect(stock.locator(".orch-timeline li.entry-result")).to_contain_text("ACME: 42.0")
    expect(stock.locator(".orch-timeline li.entry-message")).to_contain_text("42.0")
    expect(stock.locator(".orch-output")).to_contain_text("42.0")
    expect(page.locator("#run-output")).not_to_be_empty()
    assert not csp_watch(page)


def test_run_page_streams_each_branch_timeline_inline(
    guide_graph, team, signed_in_page, asgi_server, celery_worker_process, csp_watch
):
    _, members = team
    admin = members["admin"]
    agent_create(
        actor=admin,
        graph=guide_graph,
        name="Chart Agent",
        instructions="Draw charts of growth.",
        tools=[{"type": "code_interpreter"}],
    )
    weather = agent_create(
        actor=admin,
        graph=guide_graph,
        name="Weather Agent",
        description="Answers questions about the weather forecast.",
        instructions="Give the weather forecast.",
    )
    agent_create(
        actor=admin,
        graph=guide_graph,
        name="Front Desk",
        instructions="Route each request to the right agent.",
        handoffs=[weather.pk],
    )
    slow = {"sandbox_delay_ms": 60, "sandbox_reply_tokens": 80}
    orchestration = orchestration_create(
        actor=admin,
        graph=guide_graph,
        name="Chart and weather",
        spec={
            "parallel": [
                {"agent": "Chart Agent", "input": "Chart compound growth", "metadata": slow},
                {"agent": "Front Desk", "input": "What is the weather forecast?", "metadata": slow},
            ],
            "merge": {"agent": "Research Synthesizer"},
        },
    )
    run = run_start(actor=members["operator"], orchestration=orchestration, inputs="Two things")
    page = signed_in_page(members["viewer"])
    page.goto(f"{asgi_server.url}/orchestration-runs/{run.pk}/")
    chart = page.locator(".orch-step[data-path='spec.parallel[0]']")
    desk = page.locator(".orch-step[data-path='spec.parallel[1]']")
    expect(page.locator(".orch-step[data-path='spec'] > .orch-lanes > .orch-step")).to_have_count(2)

    # While they run: each branch's timeline is open and its agent's text streams into it, and
    # the step's tokens are an estimate that moves with the stream.
    for branch in (chart, desk):
        expect(branch.locator("details.orch-conversation")).to_have_attribute("open", "")
        streaming = branch.locator(".orch-timeline .entry-message .md.streaming")
        expect(streaming).not_to_be_empty(timeout=30_000)
    expect(page.locator(".orch-tokens", has_text="≈").first).to_be_visible()

    # Each branch's tool run and handoff are entries of its own timeline.
    expect(chart.locator(".orch-timeline li.entry-tool summary")).to_have_text(
        "Tool code_interpreter: done", timeout=30_000
    )
    handoff = desk.locator(".orch-timeline li.entry-handoff")
    expect(handoff).to_have_attribute("data-to", "Weather Agent", timeout=30_000)
    expect(desk.locator(".orch-timeline li.entry-message")).to_contain_text("Weather Agent")
    expect(chart.locator(".orch-timeline li.entry-handoff")).to_have_count(0)

    expect(page.locator("#run")).to_have_attribute("data-status", "completed", timeout=90_000)
    run.refresh_from_db()
    for branch, path in ((chart, "spec.parallel[0]"), (desk, "spec.parallel[1]")):
        tokens = run.steps.get(path=path).conversation.total_tokens
        assert tokens > 0
        expect(branch.locator(".orch-step-head .orch-tokens")).to_have_text(f"{tokens} tokens")
        expect(branch.locator(".orch-timeline .entry-message .md.streaming")).to_have_count(0)
    # The merge step got its own timeline too; the run's total is the steps'.
    total = sum(s.conversation.total_tokens for s in run.steps.exclude(conversation=None))
    expect(page.locator("#run-tokens")).to_have_text(str(total))

    # A finished run's page: timelines closed, loaded (from the history API) when opened.
    page.reload()
    chart = page.locator(".orch-step[data-path='spec.parallel[0]']")
    details = chart.locator("details.orch-conversation")
    expect(details).not_to_have_attribute("open", "")
    expect(chart.locator(".orch-timeline li")).to_have_count(0)
    details.locator("summary").click()
    expect(chart.locator(".orch-timeline li.entry-tool")).to_have_count(1)
    expect(chart.locator(".orch-timeline li.entry-message").last).to_contain_text("Chart Agent")
    assert not csp_watch(page)


def test_cancel_from_the_run_page(
    guide_graph, team, signed_in_page, asgi_server, celery_worker_process
):
    _, members = team
    orchestration = orchestration_create(
        actor=members["admin"],
        graph=guide_graph,
        name="Slow",
        spec={
            "parallel": [
                {"agent": "Tech Researcher", "metadata": {"sandbox_delay_ms": 500}},
                {"agent": "Market Researcher", "metadata": {"sandbox_delay_ms": 500}},
            ]
        },
    )
    run = run_start(actor=members["operator"], orchestration=orchestration, inputs="Slow topic")
    page = signed_in_page(members["operator"])
    page.goto(f"{asgi_server.url}/orchestration-runs/{run.pk}/")
    expect(
        page.locator(".orch-step[data-path='spec.parallel[0]'] .orch-timeline .entry-message")
    ).not_to_be_empty()
    page.get_by_role("button", name="Cancel run").click()
    expect(page.locator("#run")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("button", name="Cancel run")).to_be_hidden()


def test_a_failed_step_shows_its_error_in_its_timeline(
    guide_graph, team, signed_in_page, asgi_server, celery_worker_process, csp_watch
):
    _, members = team
    fault = {"sandbox_fault": "response_error", "sandbox_fault_key": f"ui-{guide_graph.pk}"}
    orchestration = orchestration_create(
        actor=members["admin"],
        graph=guide_graph,
        name="Failing",
        spec={"sequence": [{"agent": "Research Agent", "metadata": fault}]},
    )
    run = run_start(actor=members["operator"], orchestration=orchestration, inputs="Doomed")
    page = signed_in_page(members["operator"])
    page.goto(f"{asgi_server.url}/orchestration-runs/{run.pk}/")
    expect(page.locator("#run")).to_have_attribute("data-status", "failed", timeout=60_000)
    step = page.locator(".orch-step[data-path='spec.sequence[0]']")
    expect(step).to_have_attribute("data-status", "failed")
    details = step.locator("details.orch-conversation")
    if details.get_attribute("open") is None:  # it had failed before the page loaded
        details.locator("summary").click()
    errors = step.locator(".orch-timeline li.entry-error")
    expect(errors.first).to_contain_text("The backend reported an error")
    expect(errors.last).to_contain_text("The step's conversation failed")
    expect(page.locator("#run-error")).to_be_visible()
    assert not csp_watch(page)
