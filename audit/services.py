"""Writing the audit trail. `audit_record` is called by the services that change things, inside
their own transaction, so the row commits with the change or not at all. Failures are recorded
only where the failure itself is the fact worth keeping (a refused sign-in, a sync the backend
refused), and always with `outcome=failure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import context
from audit.models import Action, AuditEntry, Outcome

MISSING: Any = object()


def _actor(actor: Any) -> tuple[Any, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, ""
    return actor, actor.get_username()


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str | None = None,
    workspace: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    outcome: str = Outcome.SUCCESS,
    error: str = "",
) -> AuditEntry:
    """Append one row. `obj` fills the object fields (type = model name, id = pk, repr = str)."""
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
        object_repr = str(obj) if object_repr is None else object_repr
    user, username = _actor(actor)
    request = context.current()
    return AuditEntry.objects.create(
        actor=user,
        actor_username=username,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id="" if object_id in (None, "") else str(object_id),
        object_repr=(object_repr or "")[:200],
        workspace_id=getattr(workspace, "pk", workspace),
        workspace_name=str(getattr(workspace, "name", ""))[:128],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        error=error,
        ip=request.ip,
        user_agent=request.user_agent,
        request=request.request,
    )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k, MISSING) != after[k]]
    keys += [k for k in before if k not in after]
    return (
        {k: before[k] for k in keys if k in before},
        {k: after[k] for k in keys if k in after},
    )


# --- retention ---------------------------------------------------------------------------


def retention_cutoff(now: datetime | None = None) -> datetime | None:
    days = getattr(settings, "AUDIT_RETENTION_DAYS", None)
    if not days:
        return None  # keep forever
    return (now or timezone.now()) - timedelta(days=days)


def audit_purge_expired(*, now: datetime | None = None, batch_size: int = 5_000) -> int:
    """Delete rows older than AUDIT_RETENTION_DAYS, in batches; the only deletion of audit rows.
    The purge itself is recorded (how many, up to when)."""
    cutoff = retention_cutoff(now)
    if cutoff is None:
        return 0
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                AuditEntry.objects.filter(created_at__lt=cutoff)
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            deleted += AuditEntry.objects.filter(id__in=ids)._purge()
    if deleted:
        audit_record(
            actor=None,
            action=Action.AUDIT_PURGE,
            object_type="audit",
            object_repr=f"{deleted} rows",
            after={"deleted": deleted, "older_than": cutoff.isoformat()},
        )
    return deleted
