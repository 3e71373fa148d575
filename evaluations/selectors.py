"""User-scoped reads of suites and their runs (a foreign suite is a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from evaluations.models import CaseResult, Suite, SuiteRun
from workspaces.roles import Role
from workspaces.selectors import check_role, is_authenticated, parse_uuid, role_subquery


def suites_for_user(user) -> QuerySet[Suite]:
    if not is_authenticated(user):
        return Suite.objects.none()
    return (
        Suite.objects.annotate(user_role=role_subquery(user, "graph__workspace"))
        .filter(user_role__isnull=False)
        .select_related("graph", "graph__workspace")
    )


def suite_get_for_user(user, suite_id: Any, min_role: str = Role.VIEWER) -> Suite:
    suite = suites_for_user(user).filter(pk=parse_uuid(suite_id)).first()
    check_role(suite.user_role if suite else None, min_role)
    return suite


def run_get_for_user(user, run_id: Any) -> SuiteRun:
    if not is_authenticated(user):
        check_role(None, Role.VIEWER)
    run = (
        SuiteRun.objects.annotate(user_role=role_subquery(user, "suite__graph__workspace"))
        .filter(pk=parse_uuid(run_id), user_role__isnull=False)
        .select_related("suite", "suite__graph")
        .first()
    )
    check_role(run.user_role if run else None, Role.VIEWER)
    return run


def results_of(run: SuiteRun) -> QuerySet[CaseResult]:
    return run.results.select_related("conversation").order_by("position")


def runs_of(suite: Suite, limit: int = 50) -> list[SuiteRun]:
    return list(suite.runs.order_by("-created_at")[:limit])
