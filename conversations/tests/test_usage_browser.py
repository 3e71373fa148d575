"""The dashboard's cost chart in real Chromium: one line per graph, or per model, from
GET /api/usage/, with the numbers in a table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conversations.costs import ModelPrice
from conversations.services import conversation_start
from conversations.services.costs import turn_usage_record
from conversations.tests.test_browser_ui import unnamed_controls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_charts_cost_per_graph_and_per_model(
    team, finance_graph, signed_in_page, asgi_server
):
    _, members = team
    agent = finance_graph.entry_agent
    ModelPrice.objects.update_or_create(
        model=agent.model,
        defaults={"input_per_million": Decimal("2"), "output_per_million": Decimal("6"),
                  "taken_on": dt.date(2026, 6, 1)},
    )  # fmt: skip
    conversation = conversation_start(actor=members["admin"], agent=agent, inputs="Hi")
    turn_usage_record(
        conversation=conversation,
        turn=conversation.turns.get(),
        usage={"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500},
    )
    page = signed_in_page(members["viewer"])
    chart = page.get_by_role("region", name="Cost over the last 30 days")
    expect(chart.locator("#usage-total")).to_have_text("$0.0050 in 1 turn (1500 tokens)")
    expect(chart.get_by_role("img", name="Cost per day by graph")).to_be_visible()
    expect(chart.locator("polyline[data-series='Finance']")).to_have_count(1)
    chart.get_by_label("By model").check()
    expect(chart.get_by_role("img", name="Cost per day by model")).to_be_visible()
    expect(chart.locator(f"polyline[data-series='{agent.model}']")).to_have_count(1)
    chart.get_by_text("The numbers").click()
    expect(chart.locator("#usage-table tbody tr")).to_have_count(1)
    expect(chart.locator("#usage-table tbody tr")).to_contain_text("0.00500000")
    assert unnamed_controls(page) == []


def test_an_empty_dashboard_says_so(team, signed_in_page, asgi_server):
    _, members = team
    page = signed_in_page(members["viewer"])
    expect(page.locator("#usage-total")).to_have_text("No usage in these 30 days yet.")
