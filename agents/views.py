"""Pages of the agents app: the graph list, the graph editor (the React Flow island) and the
invitee's invitations."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents import selectors, services
from agents.api.serializers import AgentSerializer, GraphSerializer
from agents.exceptions import DomainValidationError, StateConflict
from agents.models import DEFAULT_MODEL
from agents.roles import Role, role_at_least

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
    workspaces = selectors.workspaces_for_user(user).order_by("name")
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
                services.workspace_create(actor=user, name=name)
                messages.success(request, f"Workspace {name} created.")
                return redirect("graph-list")
            workspace = selectors.workspace_get_for_user(
                user, request.POST.get("workspace"), Role.EDITOR
            )
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
    agents = selectors.agents_of_graph(graph)
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
    return render(request, "agents/editor.html", {"graph": graph, "editor_data": data})


@require_GET
def invitation_list(request):
    invitations = selectors.pending_invitations_for_invitee(request.user).order_by("-created_at")
    return render(request, "agents/invitations.html", {"invitations": invitations})


@require_POST
def invitation_respond(request, invitation_id):
    """Accept or decline, for the invitee only (anyone else: 404, as in the API)."""
    invitation = selectors.invitation_get_for_invitee(request.user, invitation_id)
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, "Answer: choose accept or decline.")
        return redirect("invitation-list")
    name = invitation.workspace.name
    try:
        if answer == "accept":
            services.invitation_accept(actor=request.user, invitation=invitation)
        else:
            services.invitation_decline(actor=request.user, invitation=invitation)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("invitation-list")
    if answer == "accept":
        messages.success(request, f"You joined {name}.")
        return redirect("graph-list")
    messages.success(request, f"You declined the invitation to {name}.")
    return redirect("invitation-list")
