"""Cost and budgets through the real stack: the worker prices what the sandbox reports, and a
workspace budget pauses a run between its turns until an admin raises it."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from agents.services import agent_create, graph_create
from audit.models import AuditEntry
from conversations.costs import ModelPrice, UsageRecord
from conversations.models import Conversation, Turn
from conversations.services.costs import turn_pause_for_budget
from conversations.tests.test_browser_ui import wait_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
FINAL = {"completed", "failed", "awaiting_input", "cancelled", "paused"}
ARITHMETIC = {
    "type": "function",
    "function": {
        "name": "evaluate_arithmetic",
        "description": "Evaluate an arithmetic expression",
        "parameters": {
            "type": "object",
            "properties": {"expression": {"type": "string"}},
            "required": ["expression"],
        },
    },
}


def _price(model: str) -> None:
    ModelPrice.objects.update_or_create(
        model=model,
        defaults={"input_per_million": Decimal("2"), "output_per_million": Decimal("6"),
                  "taken_on": dt.date(2026, 6, 1), "source": "test"},
    )  # fmt: skip


def test_the_cost_of_a_run_comes_from_the_price_table(team, api_for, celery_worker_process):
    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Costly")
    agent = agent_create(actor=members["admin"], graph=graph, name="helper", description="Helps")
    _price(agent.model)
    api = api_for(members["operator"])
    code, body = api.post("/api/conversations/", {"agent": str(agent.pk), "inputs": "Hello"})
    done = api.wait_status(body["id"], FINAL)
    assert done["status"] == "completed"
    usage = done["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    expected = (Decimal(usage["prompt_tokens"]) * 2 + Decimal(usage["completion_tokens"]) * 6) / (
        Decimal(1_000_000)
    )
    assert Decimal(done["cost_usd"]) == expected
    [record] = UsageRecord.objects.filter(conversation_id=body["id"])
    assert record.agent_id == agent.pk and record.model == agent.model and record.priced
    code, report = api.get(f"/api/usage/?workspace={workspace.pk}&group_by=agent")
    assert code == 200 and report["groups"][0]["label"] == "helper"
    assert Decimal(report["total"]["cost_usd"]) == expected


def test_a_budget_pauses_a_run_and_raising_it_resumes(team, api_for, celery_worker_process):
    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Maths")
    agent = agent_create(
        actor=members["admin"], graph=graph, name="calculator",
        description="Evaluates arithmetic", tools=[ARITHMETIC],
    )  # fmt: skip
    _price(agent.model)
    admin = api_for(members["admin"])
    code, _ = admin.call(
        "PUT", "/api/usage/budget/", {"workspace": str(workspace.pk), "monthly_usd": "0.000001"}
    )
    assert code == 200
    api = api_for(members["operator"])
    code, body = api.post(
        "/api/conversations/",
        {"agent": str(agent.pk), "inputs": "Please evaluate the arithmetic expression 6 * 7"},
    )
    # Turn 1 runs (nothing spent yet) and calls the function, which the worker answers; the
    # turn that would send the result waits: the budget is spent.
    paused = api.wait_status(body["id"], FINAL)
    assert paused["status"] == "paused", paused
    assert "monthly budget" in paused["error"]
    turns = list(Turn.objects.filter(conversation_id=body["id"]).order_by("number"))
    assert [t.state for t in turns] == ["done", "paused"]
    code, events = api.get(f"/api/conversations/{body['id']}/events/")
    statuses = [e["data"]["status"] for e in events if e["type"] == "conversation.status"]
    assert statuses[-1] == "paused"
    reached = AuditEntry.objects.get(action="budget.reached", object_id=body["id"])
    assert reached.actor is None and "monthly budget" in reached.after["reason"]
    code, refused = api.post(f"/api/conversations/{body['id']}/messages/", {"inputs": "more"})
    assert code == 409 and "budget" in refused["detail"]

    code, raised = admin.call(
        "PUT", "/api/usage/budget/", {"workspace": str(workspace.pk), "monthly_usd": "10"}
    )
    assert code == 200 and raised["resumed"] == [body["id"]]
    done = api.wait_status(body["id"], {"completed", "failed", "cancelled"})
    assert done["status"] == "completed" and not done["error"]
    assert [t.state for t in Turn.objects.filter(conversation_id=body["id"])] == ["done"] * 2
    changes = AuditEntry.objects.filter(action="budget.change").order_by("id")
    assert [c.after["monthly_usd"] for c in changes] == ["0.000001", "10.000000"]
    assert Conversation.objects.get(pk=body["id"]).cost_usd > 0


@pytest.mark.browser
def test_the_live_page_says_why_a_run_paused(team, signed_in_page, asgi_server):
    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Paused")
    agent = agent_create(actor=members["admin"], graph=graph, name="helper")
    # Rows as a worker would hold them mid-run (no task is sent: no worker may take it).
    conversation = Conversation.objects.create(
        graph=graph, entry_agent=agent, active_agent=agent, backend="sandbox", title="Hi",
        status="running", started_by=members["admin"],
    )  # fmt: skip
    turn = Turn.objects.create(conversation=conversation, number=1, kind="start", state="running")
    page = signed_in_page(members["viewer"])
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    wait_status(page, "Running")
    expect(page.locator("#connection")).to_have_text("Live")
    reason = "Paused: budget of $1 spent."
    turn_pause_for_budget(conversation=conversation, turn=turn, reason=reason)
    wait_status(page, "Paused at its budget")
    note = page.locator("#timeline [data-kind=note]", has_text="Paused at its budget")
    expect(note).to_contain_text(reason)
    page.reload()
    expect(page.locator("#budget-paused")).to_have_text(reason)
