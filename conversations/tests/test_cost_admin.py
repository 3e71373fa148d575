"""The cost admin: superusers edit the price table; a workspace budget set there goes through the
budget service (audited, resuming what it allows); usage rows are read-only."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEntry
from conversations.costs import ModelPrice, WorkspaceBudget

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-secret-123")


def test_the_price_table_is_editable(client, superuser):
    client.force_login(superuser)
    price = ModelPrice.objects.get(model="mistral-small-latest")
    response = client.post(
        f"/admin/conversations/modelprice/{price.pk}/change/",
        {"model": price.model, "input_per_million": "0.2", "output_per_million": "0.6",
         "taken_on": "2026-07-01", "source": "checked by hand"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    price.refresh_from_db()
    assert price.input_per_million == Decimal("0.2") and price.taken_on == dt.date(2026, 7, 1)


def test_a_budget_set_in_the_admin_is_audited(client, superuser, team):
    workspace, _ = team
    client.force_login(superuser)
    response = client.post(
        "/admin/conversations/workspacebudget/add/",
        {"workspace": str(workspace.pk), "monthly_usd": "12.5"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert WorkspaceBudget.objects.get(workspace=workspace).monthly_usd == Decimal("12.5")
    row = AuditEntry.objects.get(action="budget.change")
    assert row.actor == superuser and row.after == {"monthly_usd": "12.500000"}
    budget = WorkspaceBudget.objects.get()
    response = client.post(
        f"/admin/conversations/workspacebudget/{budget.pk}/change/", {"monthly_usd": "20"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="budget.change").count() == 2
    assert client.get("/admin/conversations/usagerecord/").status_code == 200
    assert client.get("/admin/conversations/usagerecord/add/").status_code == 403
