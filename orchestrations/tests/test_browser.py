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


def test_run_page_streams_steps_in_lanes_and_names_the_inbox_call(
    guide_graph, team, signed_in_page, asgi_server, celery_worker_process
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
    expect(market.locator(".orch-step-head")).to_contain_text("tokens")
    stock = page.locator(".orch-step[data-path='spec.parallel[0]']")
    expect(stock).to_have_attribute("data-status", "awaiting_input")
    expect(stock.locator(".orch-pending")).to_be_visible()
    expect(stock.locator(".orch-stream")).to_contain_text("function call get_stock_price")
    expect(page.locator("#run")).to_have_attribute("data-status", "awaiting_input")

    # The inbox says which run and step the call belongs to; answering completes the run.
    page.goto(f"{asgi_server.url}/inbox/")
    card = page.locator(".pending-card", has_text="get_stock_price")
    expect(card.locator(".pending-orchestration")).to_contain_text("spec.parallel[0]")
    card.get_by_label("Result of get_stock_price").fill("ACME: 42.0")
    card.get_by_role("button", name="Send result").click()
    page.goto(f"{asgi_server.url}/orchestration-runs/{run.pk}/")
    expect(page.locator("#run")).to_have_attribute("data-status", "completed", timeout=60_000)
    expect(page.locator(".orch-step[data-path='spec.parallel[0]'] .orch-output")).to_contain_text(
        "42.0"
    )
    expect(page.locator("#run-output")).not_to_be_empty()


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
    expect(page.locator(".orch-step[data-path='spec.parallel[0]'] .orch-stream")).not_to_have_text(
        "…"
    )
    page.get_by_role("button", name="Cancel run").click()
    expect(page.locator("#run")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("button", name="Cancel run")).to_be_hidden()
