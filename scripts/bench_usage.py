"""How long GET /api/usage/'s report takes over many usage rows (python scripts/bench_usage.py
[rows]), on a throwaway SQLite database: one workspace, 5 graphs, 4 models, 90 days."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.test")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402


def main(rows: int) -> None:
    call_command("migrate", verbosity=0)
    from agents.services import agent_create, graph_create
    from conversations.costs import UsageRecord
    from conversations.models import Conversation
    from conversations.usage_selectors import usage_for_user, usage_report
    from workspaces.services import workspace_create

    user = get_user_model().objects.create_user("bench", password="x")
    workspace = workspace_create(actor=user, name="Bench")
    graphs, agents = [], []
    for g in range(5):
        graph = graph_create(actor=user, workspace=workspace, name=f"g{g}")
        graphs.append(graph)
        agents.append(agent_create(actor=user, graph=graph, name=f"a{g}"))
    conversations = [
        Conversation.objects.create(graph=g, entry_agent=a, backend="sandbox")
        for g, a in zip(graphs, agents, strict=True)
    ]
    today = dt.date.today()
    models = ["mistral-medium-latest", "mistral-large-latest", "mistral-small-latest", "x"]
    UsageRecord.objects.bulk_create(
        UsageRecord(
            conversation=conversations[i % 5], workspace=workspace, graph=graphs[i % 5],
            agent=agents[i % 5], agent_name=f"a{i % 5}", model=models[i % 4],
            prompt_tokens=100, completion_tokens=50, total_tokens=150,
            cost_usd=Decimal("0.0003"), priced=True, day=today - dt.timedelta(days=i % 90),
        )
        for i in range(rows)
    )  # fmt: skip
    since = today - dt.timedelta(days=29)
    for group_by, split in (("day", None), ("day", "graph"), ("model", None), ("agent", None)):
        rows_qs = usage_for_user(user, [workspace.pk])
        start = time.perf_counter()
        for _ in range(5):
            usage_report(rows_qs, group_by=group_by, since=since, until=today, split=split)
        took = (time.perf_counter() - start) / 5 * 1000
        print(f"{rows} rows, group_by={group_by} split={split}: {took:.1f} ms per report")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
