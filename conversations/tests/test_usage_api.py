"""Usage and cost in-process: turns priced by the table, GET /api/usage/ grouped each way, who
sees what, budgets set by admins only (audited), and bad input naming the field."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEntry
from conversations.costs import ModelPrice, UsageRecord, WorkspaceBudget
from conversations.models import Conversation, Turn
from conversations.services import conversation_start
from conversations.services.costs import budget_reached, turn_usage_record
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db
ROLES = ["admin", "editor", "operator", "viewer", "outsider"]


@pytest.fixture
def priced(finance_graph, team):
    """Two conversations' turns, priced by the table (the entry agent's model: 1.5 / 7.5)."""
    _, members = team
    agent = finance_graph.entry_agent
    ModelPrice.objects.update_or_create(
        model=agent.model,
        defaults={"input_per_million": Decimal("1.5"), "output_per_million": Decimal("7.5"),
                  "taken_on": dt.date(2026, 6, 1)},
    )  # fmt: skip
    out = []
    for text in ("one", "two"):
        conversation = conversation_start(actor=members["admin"], agent=agent, inputs=text)
        turn = conversation.turns.get()
        turn_usage_record(
            conversation=conversation,
            turn=turn,
            usage={"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
        )
        out.append(conversation)
    return out


def _client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_a_turn_is_priced_by_the_table_once(priced):
    conversation = priced[0]
    record = UsageRecord.objects.get(conversation=conversation)
    # 1000 × 1.5 / 1M + 200 × 7.5 / 1M
    assert record.cost_usd == Decimal("0.003") and record.priced
    conversation.refresh_from_db()
    assert conversation.cost_usd == Decimal("0.003")
    turn_usage_record(conversation=conversation, turn=record.turn, usage={"prompt_tokens": 5})
    assert UsageRecord.objects.filter(conversation=conversation).count() == 1
    conversation.refresh_from_db()
    assert conversation.cost_usd == Decimal("0.003")  # a repeat adds no cost either


def test_an_unpriced_model_counts_tokens_but_no_cost(priced):
    ModelPrice.objects.all().delete()
    conversation = priced[0]
    turn = Turn.objects.create(conversation=conversation, number=2, kind="message", state="done")
    turn_usage_record(conversation=conversation, turn=turn, usage={"prompt_tokens": 10})
    record = UsageRecord.objects.get(turn=turn)
    assert record.cost_usd == 0 and not record.priced and record.total_tokens == 10


@pytest.mark.parametrize("group_by", ["agent", "model", "graph", "day"])
def test_usage_grouped(group_by, team, priced, api_client, finance_graph):
    workspace, members = team
    response = _client(api_client, members["viewer"]).get(
        "/api/usage/", {"workspace": str(workspace.pk), "group_by": group_by}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"]["cost_usd"] == "0.00600000" and body["total"]["total_tokens"] == 2400
    [group] = body["groups"]
    assert group["cost_usd"] == "0.00600000" and group["conversations"] == 2
    label = {
        "agent": finance_graph.entry_agent.name,
        "model": finance_graph.entry_agent.model,
        "graph": finance_graph.name,
        "day": dt.date.today().isoformat(),
    }[group_by]
    assert group["label"] == label


def test_usage_per_day_split_by_model_for_the_chart(team, priced, api_client, finance_graph):
    workspace, members = team
    body = (
        _client(api_client, members["viewer"])
        .get("/api/usage/", {"workspace": str(workspace.pk), "split": "model"})
        .json()
    )
    [day] = body["groups"]
    assert [b["label"] for b in day["by"]] == [finance_graph.entry_agent.model]


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_usage(role, team, priced, api_client, make_user):
    workspace, members = team
    response = _client(api_client, members[role]).get(
        "/api/usage/", {"workspace": str(workspace.pk)}
    )
    assert response.status_code == (404 if role == "outsider" else 200)
    everything = _client(api_client, members[role]).get("/api/usage/").json()
    assert everything["total"]["turns"] == (0 if role == "outsider" else 2)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "user"}, "group_by"),
        ({"group_by": "day;drop"}, "group_by"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "since"),
        ({"split": "agent"}, "split"),
        ({"split": "model", "group_by": "agent"}, "split"),
    ],
)
def test_bad_usage_queries_name_the_field(team, api_client, params, field):
    _, members = team
    response = _client(api_client, members["viewer"]).get("/api/usage/", params)
    assert response.status_code == 400 and field in response.json()


def test_a_workspace_of_nobody_is_404(team, api_client, make_user):
    _, members = team
    other = workspace_create(actor=make_user("stranger"), name="Elsewhere")
    response = _client(api_client, members["admin"]).get(
        "/api/usage/", {"workspace": str(other.pk)}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_set_budgets(role, team, priced, api_client):
    workspace, members = team
    client = _client(api_client, members[role])
    response = client.put(
        "/api/usage/budget/", {"workspace": str(workspace.pk), "monthly_usd": "5"}, format="json"
    )
    conv = client.put(
        f"/api/conversations/{priced[0].pk}/budget/", {"budget_usd": "0.5"}, format="json"
    )
    expected = {"admin": 200, "outsider": 404}.get(role, 403)
    assert response.status_code == conv.status_code == expected
    assert WorkspaceBudget.objects.exists() == (role == "admin")
    if role == "admin":
        assert response.json()["spent_this_month"] == "0.00600000"
        assert conv.json()["budget_usd"] == "0.500000"
        assert AuditEntry.objects.filter(action="budget.change").count() == 2


@pytest.mark.parametrize("value", ["-1", "lots", "1e400", "NaN", [1], {"a": 1}, "9999999999"])
def test_bad_budgets_name_the_field(team, priced, api_client, value):
    workspace, members = team
    client = _client(api_client, members["admin"])
    response = client.put(
        "/api/usage/budget/", {"workspace": str(workspace.pk), "monthly_usd": value}, format="json"
    )
    assert response.status_code == 400 and "monthly_usd" in response.json()
    conv = client.put(
        f"/api/conversations/{priced[0].pk}/budget/", {"budget_usd": value}, format="json"
    )
    assert conv.status_code == 400 and "budget_usd" in conv.json()
    assert not WorkspaceBudget.objects.exists()
    assert Conversation.objects.get(pk=priced[0].pk).budget_usd is None
    assert not AuditEntry.objects.filter(action="budget.change").exists()


def test_budget_reached_says_why(team, priced):
    workspace, members = team
    conversation = priced[0]
    assert budget_reached(conversation) == ""
    Conversation.objects.filter(pk=conversation.pk).update(budget_usd=Decimal("0.003"))
    assert "this conversation reached its budget" in budget_reached(conversation)
    Conversation.objects.filter(pk=conversation.pk).update(budget_usd=None)
    WorkspaceBudget.objects.create(workspace=workspace, monthly_usd=Decimal("0.006"))
    assert "monthly budget" in budget_reached(priced[1])


def test_the_default_price_table_names_its_date():
    price = ModelPrice.objects.get(model="mistral-medium-latest")
    assert price.taken_on == dt.date(2026, 6, 1) and "mistral.ai/pricing" in price.source


def test_raising_a_conversations_budget_resumes_it(team, priced, api_client):
    from conversations.services.costs import turn_pause_for_budget

    _, members = team
    conversation = priced[0]
    Conversation.objects.filter(pk=conversation.pk).update(budget_usd=Decimal("0.001"))
    conversation.refresh_from_db()
    Turn.objects.filter(conversation=conversation, number=1).update(state="done")
    turn = Turn.objects.create(conversation=conversation, number=2, kind="results", state="running")
    assert turn_pause_for_budget(
        conversation=conversation, turn=turn, reason=budget_reached(conversation)
    )
    conversation.refresh_from_db()
    assert conversation.status == "paused" and "its budget" in conversation.error
    client = _client(api_client, members["admin"])
    too_low = client.put(
        f"/api/conversations/{conversation.pk}/budget/", {"budget_usd": "0.002"}, format="json"
    )
    assert too_low.json()["status"] == "paused"  # still spent: 0.003 ≥ 0.002
    raised = client.put(
        f"/api/conversations/{conversation.pk}/budget/", {"budget_usd": "1"}, format="json"
    )
    assert raised.status_code == 200 and raised.json()["status"] == "queued"
    assert raised.json()["error"] == ""
    turn.refresh_from_db()
    assert turn.state == "queued"
    assert AuditEntry.objects.filter(action="budget.reached").count() == 1
    assert AuditEntry.objects.filter(action="budget.change").count() == 2
