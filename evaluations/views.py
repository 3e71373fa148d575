"""HTML pages of the suites: a graph's suites, and a suite with its cases, its runs, the pass
rate over the graph's revisions, and the latest run's results linked to their conversations."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from agents.selectors import graph_get_for_user
from evaluations import selectors
from evaluations.models import SuiteRun
from workspaces.roles import Role, role_at_least

CHART_W, CHART_H, PAD = 560, 180, 32


def _pass_rate_chart(runs: list[SuiteRun]) -> dict:
    """Points of the pass rate per run, oldest first, labelled by the graph's revision."""
    done = [r for r in reversed(runs) if r.status == SuiteRun.Status.COMPLETED]
    points = []
    for i, run in enumerate(done):
        x = PAD + i * (CHART_W - 2 * PAD) / max(1, len(done) - 1)
        y = CHART_H - PAD - run.pass_rate * (CHART_H - 2 * PAD)
        points.append({"x": round(x, 1), "y": round(y, 1), "run": run})
    return {
        "w": CHART_W,
        "h": CHART_H,
        "pad": PAD,
        "bottom": CHART_H - PAD,
        "right": CHART_W - PAD,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
    }


@require_GET
def graph_suites(request, graph_pk):
    graph = graph_get_for_user(request.user, graph_pk)
    suites = list(selectors.suites_for_user(request.user).filter(graph=graph))
    for suite in suites:
        suite.last_run = suite.runs.order_by("-created_at").first()
    return render(request, "evaluations/graph_suites.html", {"graph": graph, "suites": suites})


@require_GET
def suite_detail(request, pk):
    suite = selectors.suite_get_for_user(request.user, pk)
    runs = selectors.runs_of(suite)
    latest = runs[0] if runs else None
    context = {
        "suite": suite,
        "graph": suite.graph,
        "cases": suite.cases.order_by("position"),
        "runs": runs,
        "latest": latest,
        "results": selectors.results_of(latest) if latest else [],
        "chart": _pass_rate_chart(runs),
        "can_operate": role_at_least(suite.user_role, Role.OPERATOR),
    }
    return render(request, "evaluations/suite.html", context)
