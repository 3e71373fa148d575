import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agents.selectors import graphs_for_user
from agentstudio.health import all_ok, run_checks
from conversations.models import PendingAction, Status
from conversations.selectors import conversations_for_user, pending_for_user
from workspaces.roles import Role, role_at_least
from workspaces.selectors import workspaces_for_user

RECENT = 10
logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    report = run_checks()
    healthy = all_ok(report)
    response = JsonResponse(report, status=200 if healthy else 503)
    if not healthy:
        # An unhealthy report is this endpoint's answer, not a server error: Django would log
        # every 503 as ERROR, e.g. each poll of `make run` while the worker is still starting.
        logger.debug("healthz: not healthy: %s", {k: v for k, v in report.items() if v != "ok"})
        response._has_been_logged = True
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE), for /login/ and /admin/login/."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"minutes": max(1, -(-seconds // 60)), "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_GET
def home(request):
    """The dashboard: workspaces and graphs, recent conversations, what waits for the user."""
    user = request.user
    graphs = list(graphs_for_user(user).annotate(agent_count=Count("agents")).order_by("name"))
    workspaces = list(workspaces_for_user(user).order_by("name"))
    for workspace in workspaces:
        workspace.graph_list = [g for g in graphs if g.workspace_id == workspace.pk]
        workspace.can_operate = role_at_least(workspace.user_role, Role.OPERATOR)
    conversations = conversations_for_user(user)
    pending = pending_for_user(user).filter(status=PendingAction.State.PENDING)
    context = {
        "workspaces": workspaces,
        "recent": conversations.order_by("-created_at")[:RECENT],
        "pending_for_me": pending.filter(
            user_role__in=[Role.OPERATOR, Role.EDITOR, Role.ADMIN]
        ).count(),
        "pending_total": pending.count(),
        "running": conversations.filter(status__in=[Status.QUEUED, Status.RUNNING]).count(),
        "waiting": conversations.filter(status=Status.AWAITING_INPUT).count(),
    }
    return render(request, "home.html", context)
