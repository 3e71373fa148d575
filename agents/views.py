"""Pages of the agents app: the graph list and the graph editor (the React Flow island)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from agents import selectors, services
from agents.api.serializers import AgentSerializer, GraphSerializer
from agents.models import DEFAULT_MODEL, McpServer
from workspaces.exceptions import DomainValidationError
from workspaces.roles import Role, role_at_least
from workspaces.selectors import workspace_get_for_user, workspaces_for_user
from workspaces.services import workspace_create

# Offered in the editor's model field (a datalist: any other model name is accepted too).
KNOWN_MODELS = [
    "mistral-medium-latest",
    "mistral-large-latest",
    "mistral-small-latest",
    "magistral-medium-latest",
    "magistral-small-latest",
    "codestral-latest",
    "devstral-medium-latest",
    "devstral-small-latest",
    "ministral-8b-latest",
    "ministral-3b-latest",
    "pixtral-large-latest",
    "open-mistral-nemo",
]


def _editable_workspaces(user):
    workspaces = workspaces_for_user(user).order_by("name")
    return [w for w in workspaces if role_at_least(w.user_role, Role.EDITOR)]


@require_http_methods(["GET", "POST"])
def graph_list(request):
    """Every graph the user can see, with a form to start a new one (and a workspace if needed)."""
    user = request.user
    errors: dict = {}
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        try:
            if request.POST.get("action") == "workspace":
                workspace_create(actor=user, name=name)
                messages.success(request, f"Workspace {name} created.")
                return redirect("graph-list")
            workspace = workspace_get_for_user(user, request.POST.get("workspace"), Role.EDITOR)
            graph = services.graph_create(actor=user, workspace=workspace, name=name)
            return redirect("graph-edit", graph_id=graph.pk)
        except DomainValidationError as exc:
            errors = exc.errors
    graphs = selectors.graphs_for_user(user).order_by("workspace__name", "name")
    return render(
        request,
        "agents/graph_list.html",
        {
            "graphs": graphs,
            "workspaces": _editable_workspaces(user),
            "errors": errors,
            "name": request.POST.get("name", ""),
        },
        status=400 if errors else 200,
    )


def graph_edit(request, graph_id):
    """The editor; viewers get it read-only, outsiders a 404."""
    graph = selectors.graph_get_for_user(request.user, graph_id)
    agents = selectors.agents_of_graph_listed(graph)
    data = {
        "graph": GraphSerializer(graph).data,
        "agents": AgentSerializer(agents, many=True).data,
        "role": graph.user_role,
        "can_edit": role_at_least(graph.user_role, Role.EDITOR),
        "can_run": role_at_least(graph.user_role, Role.OPERATOR),
        "known_models": KNOWN_MODELS,
        "default_model": DEFAULT_MODEL,
        "urls": {"graphs": reverse("graph-list"), "live": "/conversations/"},
    }
    servers = McpServer.objects.filter(agent__graph=graph).select_related("agent")
    context = {
        "graph": graph,
        "editor_data": data,
        "mcp_servers": servers.order_by("agent__name", "name"),
        "max_turns": graph.max_turns or settings.LOCAL_MAX_TURNS,
    }
    return render(request, "agents/editor.html", context)
