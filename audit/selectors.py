"""Reads of the audit trail for the in-app page and its exports (workspace admins only)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry


def audit_for_workspace(workspace: Any, filters: dict[str, Any] | None = None) -> QuerySet:
    """The workspace's rows, newest first, narrowed by the page's filter form."""
    rows = AuditEntry.objects.filter(workspace_id=workspace.pk)
    filters = filters or {}
    if filters.get("actor"):
        rows = rows.filter(actor_username=filters["actor"])
    if filters.get("action"):
        rows = rows.filter(action=filters["action"])
    if filters.get("object_type"):
        rows = rows.filter(object_type=filters["object_type"])
    if filters.get("outcome"):
        rows = rows.filter(outcome=filters["outcome"])
    if filters.get("since"):
        rows = rows.filter(created_at__gte=_start_of(filters["since"]))
    if filters.get("until"):
        rows = rows.filter(created_at__lt=_start_of(filters["until"]) + timezone.timedelta(days=1))
    return rows.order_by("-created_at", "-id")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _distinct_values(workspace: Any, field: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(workspace_id=workspace.pk)
        .exclude(**{field: ""})
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )


def audit_actors(workspace: Any) -> list[str]:
    return _distinct_values(workspace, "actor_username")


def audit_object_types(workspace: Any) -> list[str]:
    return _distinct_values(workspace, "object_type")
