"""HTML pages: the live conversation page, the list, the start form and the inbox.

Views read through the user-scoped selectors (a foreign object is a 404) and write only through
the services; the pages then follow the conversation over the WebSockets.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.models import Agent
from agents.selectors import graph_get_for_user, graphs_for_user
from conversations import pricing, rendering, selectors, services
from conversations.errors import ConversationError
from conversations.examples import examples_for
from conversations.forms import ConversationFilterForm, ResolveForm, StartForm
from conversations.models import Entry, PendingAction, Status, Turn
from integrations.mistral.models import RemoteAgent
from workspaces.roles import Role, role_at_least

PAGE_SIZE = 25
OPERATOR_ROLES = [Role.OPERATOR, Role.EDITOR, Role.ADMIN]


def _agent_dict(agent: Agent) -> dict:
    return {"id": str(agent.pk), "name": agent.name, "color": rendering.agent_color(agent.pk)}


# -- the live conversation page --------------------------------------------------------------
@require_GET
def conversation_detail(request, pk):
    conversation = selectors.conversation_get_for_user(request.user, pk)
    agents = list(conversation.graph.agents.order_by("name"))
    remotes = {
        r.remote_id: str(r.agent_id)
        for r in RemoteAgent.objects.filter(agent__graph=conversation.graph_id)
    }
    # An idle conversation's page loads its entries (and their HTML) from the history API, page
    # by page; only one whose turn runs replays the whole log, so only it needs the HTML here.
    busy = conversation.status in (Status.QUEUED, Status.RUNNING)
    rendered = (
        {
            e.remote_id: rendering.markdown_to_html(e.text)
            for e in Entry.objects.filter(conversation=conversation, type=Entry.Type.MESSAGE_OUTPUT)
            .exclude(remote_id="")
            .exclude(turn__state__in=[Turn.State.QUEUED, Turn.State.RUNNING])  # still streaming
        }
        if busy
        else {}
    )
    can_operate = role_at_least(conversation.user_role, Role.OPERATOR)
    state = {
        "id": str(conversation.pk),
        "status": conversation.status,
        "lastSeq": conversation.last_seq,
        "canOperate": can_operate,
        "entryAgent": str(conversation.entry_agent_id or ""),
        "activeAgent": str(conversation.active_agent_id or ""),
        "agents": [_agent_dict(a) for a in agents],
        "remotes": remotes,
        "rendered": rendered,
        "createdAt": conversation.created_at.isoformat(),
        "finishedAt": conversation.finished_at.isoformat() if conversation.finished_at else None,
        # The cost estimate prices the whole conversation at its entry agent's model.
        "price": pricing.model_price(
            conversation.entry_agent.model if conversation.entry_agent else None
        ),
        "urls": {
            "socket": f"/ws/conversations/{conversation.pk}/",
            "rendered": reverse("conversation-rendered", args=[conversation.pk]),
            "messages": f"/api/conversations/{conversation.pk}/messages/",
            "history": f"/api/conversations/{conversation.pk}/history/",
            "events": f"/api/conversations/{conversation.pk}/events/",
            "cancel": f"/api/conversations/{conversation.pk}/cancel/",
            "resolve": "/api/pending/{id}/resolve/",
            "inbox": reverse("inbox"),
        },
    }
    return render(
        request,
        "conversations/detail.html",
        {
            "conversation": conversation,
            "agents": agents,
            "can_operate": can_operate,
            "state": state,
            # A step of an orchestration run links back to its run (by path: the orchestrations
            # app sits above this one).
            "orchestration": selectors.orchestration_step_of(conversation),
        },
    )


@require_GET
def conversation_rendered(request, pk):
    """Sanitized HTML of finished model messages, by the backend's entry id (`?ids=a,b`)."""
    conversation = selectors.conversation_get_for_user(request.user, pk)
    ids = [i for i in request.GET.get("ids", "").split(",") if i][:200]
    entries = Entry.objects.filter(
        conversation=conversation, type=Entry.Type.MESSAGE_OUTPUT, remote_id__in=ids
    )
    return JsonResponse({e.remote_id: rendering.markdown_to_html(e.text) for e in entries})


# -- the list --------------------------------------------------------------------------------
@require_GET
def conversation_list(request):
    user = request.user
    graphs = list(graphs_for_user(user).order_by("workspace__name", "name"))
    agents = Agent.objects.filter(graph__in=[g.pk for g in graphs]).select_related("graph")
    visible = selectors.conversations_for_user(user)
    user_ids = visible.exclude(started_by=None).values_list("started_by", flat=True).distinct()
    form = ConversationFilterForm(
        request.GET or None,
        graphs=graphs,
        agents=agents.order_by("graph__name", "name"),
        user_ids=list(user_ids),
    )
    queryset = visible.annotate(
        pending_count=Count(
            "pending_actions", filter=Q(pending_actions__status=PendingAction.State.PENDING)
        )
    )
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("q"):
            text_match = Entry.objects.filter(
                conversation=OuterRef("pk"), text__icontains=data["q"]
            )
            queryset = queryset.filter(Q(title__icontains=data["q"]) | Exists(text_match))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("graph"):
            queryset = queryset.filter(graph_id=data["graph"])
        if data.get("agent"):
            took_part = Entry.objects.filter(conversation=OuterRef("pk"), agent_id=data["agent"])
            queryset = queryset.filter(Q(entry_agent_id=data["agent"]) | Exists(took_part))
        if data.get("started_by"):
            queryset = queryset.filter(started_by_id=data["started_by"])
        if data.get("date_from"):
            queryset = queryset.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(created_at__date__lte=data["date_to"])
    page = Paginator(queryset.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "conversations/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# -- starting ----------------------------------------------------------------------------------
START_FIELDS = {"inputs": "message", "agent": "agent", "handoff_execution": "handoff_execution",
                "metadata": "metadata", "runtime": "runtime"}  # fmt: skip


@require_http_methods(["GET", "POST"])
def conversation_start(request, graph_pk):
    graph = graph_get_for_user(request.user, graph_pk, Role.OPERATOR)
    # `?agent=<id>` (from the graph editor) preselects another agent than the entry agent.
    form = StartForm(request.POST or None, graph=graph, preselect=request.GET.get("agent"))
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_start(
                actor=request.user,
                agent=form.cleaned_data["agent"],
                inputs=form.cleaned_data["message"],
                handoff_execution=form.cleaned_data["handoff_execution"],
                metadata=form.cleaned_data["metadata"],
                runtime=form.cleaned_data["runtime"] or None,  # unset: the graph's
            )
        except ConversationError as exc:
            form.add_error(START_FIELDS.get(exc.field or ""), exc.message)
        else:
            return redirect("conversation-detail", pk=conversation.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "conversations/start.html",
        {"graph": graph, "form": form, "examples": examples_for(graph.name)},
        status=status,
    )


# -- the inbox ---------------------------------------------------------------------------------
@require_GET
def inbox_count(request):
    """The header's count, re-read by static/conversations/header.js when the feed says a
    pending action came or went (never on a timer)."""
    return JsonResponse({"pending": selectors.pending_waiting_count_for_user(request.user)})


def _decorate(actions: list[PendingAction]) -> list[PendingAction]:
    """Add what a card shows: the user's request, the function's description, the colour."""
    conversation_ids = {a.conversation_id for a in actions}
    inputs = list(
        Entry.objects.filter(
            conversation_id__in=conversation_ids, type=Entry.Type.MESSAGE_INPUT
        ).order_by("position")
    )
    for action in actions:
        asked = [
            e
            for e in inputs
            if e.conversation_id == action.conversation_id and e.created_at <= action.created_at
        ]
        action.request_text = asked[-1].text if asked else action.conversation.title
        action.description = rendering.function_description(action.agent, action.name)
        action.can_answer = role_at_least(action.user_role, Role.OPERATOR)
        action.color = rendering.agent_color(action.agent_id)
    return actions


@require_GET
def inbox(request):
    actions = list(
        selectors.pending_for_user(request.user)
        .filter(status=PendingAction.State.PENDING)
        .select_related("conversation__graph__workspace", "conversation__started_by")
        .order_by("created_at")
    )
    return render(request, "conversations/inbox.html", {"actions": _decorate(actions)})


@require_GET
def inbox_card(request, pk):
    """One card, for an inbox that learns of a new pending action over the feed."""
    action = selectors.pending_get_for_user(request.user, pk)
    if action.status != PendingAction.State.PENDING:
        raise Http404("No longer pending.")
    [action] = _decorate([action])
    return render(request, "conversations/_pending_card.html", {"action": action})


@require_POST
def pending_resolve(request, pk):
    """The inbox's form without JavaScript (with it, the page posts to the REST API)."""
    action = selectors.pending_get_for_user(request.user, pk, Role.OPERATOR)
    back = request.POST.get("next") or reverse("inbox")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("inbox")
    form = ResolveForm(request.POST, kind=action.kind)
    if form.is_valid():
        try:
            services.pending_resolve(
                actor=request.user,
                action=action,
                result=form.cleaned_data["result"]
                if action.kind == PendingAction.Kind.FUNCTION_CALL
                else None,
                decision=form.cleaned_data["decision"] or None,
            )
        except ConversationError as exc:
            label = {"result": "Result", "decision": "Decision"}.get(exc.field or "", "")
            messages.error(request, f"{label}: {exc.message}" if label else exc.message)
        else:
            messages.success(request, f"Answered {action.name}.")
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
    return redirect(back)
