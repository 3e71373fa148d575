"""User-scoped reads of usage and cost: totals grouped by agent, model, graph or day, and a
series per day split by graph or model for the dashboard's chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from conversations.costs import ModelPrice, UsageRecord, WorkspaceBudget
from workspaces.selectors import workspaces_for_user

GROUPS = {
    "agent": ("agent_id", "agent_name"),
    "model": ("model", "model"),
    "graph": ("graph_id", "graph__name"),
    "day": ("day", "day"),
}
SPLITS = ("graph", "model")
SUMS = ("prompt_tokens", "completion_tokens", "total_tokens", "cost_usd")


def usage_for_user(user, workspace_ids: list[Any] | None = None) -> QuerySet[UsageRecord]:
    visible = workspaces_for_user(user).values("pk")
    rows = UsageRecord.objects.filter(workspace__in=visible)
    if workspace_ids is not None:
        rows = rows.filter(workspace_id__in=workspace_ids)
    return rows


def _totals(rows: QuerySet) -> QuerySet:
    return rows.annotate(
        **{f"sum_{f}": Sum(f) for f in SUMS},
        turns=Count("id"),
        conversations=Count("conversation", distinct=True),
    )


def _shape(row: dict[str, Any], key_field: str, label_field: str) -> dict[str, Any]:
    key, label = row[key_field], row[label_field]
    return {
        "key": str(key) if key is not None else None,
        "label": str(label) if label not in (None, "") else "(unknown)",
        **{f: row[f"sum_{f}"] or 0 for f in SUMS[:3]},
        "cost_usd": f"{row['sum_cost_usd'] or Decimal(0):.8f}",
        "turns": row["turns"],
        "conversations": row["conversations"],
    }


def usage_report(
    rows: QuerySet[UsageRecord],
    *,
    group_by: str,
    since: dt.date,
    until: dt.date,
    split: str | None = None,
) -> dict[str, Any]:
    rows = rows.filter(day__gte=since, day__lte=until)
    key_field, label_field = GROUPS[group_by]
    grouped = _totals(rows.values(key_field, label_field)).order_by(key_field)
    groups = [_shape(row, key_field, label_field) for row in grouped]
    if split:
        split_key, split_label = GROUPS[split]
        by_day: dict[str, list] = {}
        for row in _totals(rows.values("day", split_key, split_label)).order_by("day", split_key):
            by_day.setdefault(str(row["day"]), []).append(_shape(row, split_key, split_label))
        for group in groups:
            group["by"] = by_day.get(group["key"], [])
    total = rows.aggregate(**{f"sum_{f}": Sum(f) for f in SUMS}, turns=Count("id"))
    unpriced = rows.filter(priced=False).aggregate(t=Sum("total_tokens"))["t"] or 0
    return {
        "group_by": group_by,
        "split": split,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "currency": "USD",
        "total": {
            **{f: total[f"sum_{f}"] or 0 for f in SUMS[:3]},
            "cost_usd": f"{total['sum_cost_usd'] or Decimal(0):.8f}",
            "turns": total["turns"],
            "unpriced_tokens": unpriced,
        },
        "groups": groups,
    }


def prices() -> QuerySet[ModelPrice]:
    return ModelPrice.objects.order_by("model")


def workspace_budget(workspace) -> WorkspaceBudget | None:
    return WorkspaceBudget.objects.filter(workspace=workspace).first()
