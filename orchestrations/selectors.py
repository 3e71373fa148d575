"""User-scoped reads of orchestrations, runs, steps and run events."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from orchestrations.models import Orchestration, OrchestrationRun, RunEvent, RunStep
from workspaces.roles import Role
from workspaces.selectors import check_role, parse_uuid, role_subquery


def _check(obj, min_role: str):
    check_role(obj.user_role if obj is not None else None, min_role)
    return obj


def orchestrations_for_user(user) -> QuerySet[Orchestration]:
    if not (user and user.is_authenticated):
        return Orchestration.objects.none()
    return (
        Orchestration.objects.annotate(user_role=role_subquery(user, "graph__workspace"))
        .filter(user_role__isnull=False)
        .select_related("graph", "graph__workspace")
    )


def orchestration_get_for_user(user, orchestration_id: Any, min_role: str = Role.VIEWER):
    found = orchestrations_for_user(user).filter(pk=parse_uuid(orchestration_id)).first()
    return _check(found, min_role)


def runs_for_user(user) -> QuerySet[OrchestrationRun]:
    if not (user and user.is_authenticated):
        return OrchestrationRun.objects.none()
    return (
        OrchestrationRun.objects.annotate(user_role=role_subquery(user, "graph__workspace"))
        .filter(user_role__isnull=False)
        .select_related("graph", "graph__workspace", "orchestration", "started_by")
    )


def run_get_for_user(user, run_id: Any, min_role: str = Role.VIEWER) -> OrchestrationRun:
    return _check(runs_for_user(user).filter(pk=parse_uuid(run_id)).first(), min_role)


def steps_of(run: OrchestrationRun) -> QuerySet[RunStep]:
    return RunStep.objects.filter(run=run).select_related("conversation", "agent").order_by("id")


def run_events_after(run: OrchestrationRun, after: int, limit: int = 1000) -> QuerySet[RunEvent]:
    return RunEvent.objects.filter(run=run, seq__gt=after).order_by("seq")[:limit]
