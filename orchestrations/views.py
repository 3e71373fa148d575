"""Pages: a graph's orchestration builder and an orchestration run."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from agents.selectors import graph_get_for_user
from conversations import rendering
from integrations.mistral.models import RemoteAgent
from orchestrations import selectors
from orchestrations.api.serializers import RunOutput, StepOutput
from orchestrations.models import FINAL_STATUSES, OrchestrationRun
from workspaces.roles import Role, role_at_least

RECENT_RUNS = 20


@require_GET
def builder(request, graph_id):
    graph = graph_get_for_user(request.user, graph_id)
    orchestrations = list(
        selectors.orchestrations_for_user(request.user).filter(graph=graph).order_by("name")
    )
    runs = list(
        OrchestrationRun.objects.filter(graph=graph)
        .select_related("started_by")
        .order_by("-created_at")[:RECENT_RUNS]
    )
    state = {
        "graph": {"id": str(graph.pk), "name": graph.name, "revision": graph.revision},
        "agents": sorted(graph.agents.values_list("name", flat=True)),
        "orchestrations": [
            {"id": str(o.pk), "name": o.name, "description": o.description, "spec": o.spec}
            for o in orchestrations
        ],
        "canEdit": role_at_least(graph.user_role, Role.EDITOR),
        "canRun": role_at_least(graph.user_role, Role.OPERATOR),
    }
    return render(
        request,
        "orchestrations/builder.html",
        {"graph": graph, "state": state, "runs": runs, "orchestrations": orchestrations},
    )


@require_GET
def run_detail(request, pk):
    run = selectors.run_get_for_user(request.user, pk)
    body = RunOutput(run).data
    body["steps"] = StepOutput(list(selectors.steps_of(run)), many=True).data
    state = {
        "run": body,
        "canOperate": role_at_least(run.user_role, Role.OPERATOR),
        "final": list(FINAL_STATUSES),
        # What each step's inline timeline (static/conversations/timeline.js) draws agents with.
        "agents": [
            {"id": str(a.pk), "name": a.name, "color": rendering.agent_color(a.pk)}
            for a in run.graph.agents.order_by("name")
        ],
        "remotes": {
            r.remote_id: str(r.agent_id)
            for r in RemoteAgent.objects.filter(agent__graph=run.graph_id)
        },
        "urls": {"resolve": "/api/pending/{id}/resolve/", "inbox": reverse("inbox")},
    }
    return render(request, "orchestrations/run.html", {"run": run, "state": state})
