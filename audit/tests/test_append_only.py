"""Audit rows cannot be changed or deleted; only the retention purge removes old ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.models import Action, AppendOnlyError, AuditEntry
from audit.services import audit_purge_expired, audit_record
from audit.tasks import purge_expired
from workspaces import services

pytestmark = pytest.mark.django_db


def _row(**extra) -> AuditEntry:
    return audit_record(actor=None, action=Action.GRAPH_CREATE, object_type="graph", **extra)


def test_rows_refuse_save_delete_update_and_bulk_delete():
    row = _row()
    row.action = Action.GRAPH_DELETE
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=row.pk).update(action=Action.GRAPH_DELETE)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([row], ["action"])
    assert AuditEntry.objects.get(pk=row.pk).action == Action.GRAPH_CREATE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgres_refuses_updates_even_in_raw_sql():
    from django.db import DatabaseError

    row = _row()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [row.pk])


def test_rows_outlive_the_user_and_workspace(make_user):
    user = make_user("leaver")
    workspace = services.workspace_create(actor=user, name="Gone soon")
    services.workspace_delete(actor=user, workspace=workspace)
    user.delete()
    rows = AuditEntry.objects.filter(actor_username="leaver").order_by("id")
    assert [r.action for r in rows] == [Action.WORKSPACE_CREATE, Action.WORKSPACE_DELETE]
    assert all(r.workspace_name == "Gone soon" for r in rows)


def test_retention_keeps_everything_by_default(settings):
    settings.AUDIT_RETENTION_DAYS = None
    _row()
    AuditEntry.objects.bulk_create(
        [AuditEntry(action=Action.LOGIN, created_at=timezone.now() - timedelta(days=5000))]
    )
    assert purge_expired() == 0
    assert AuditEntry.objects.count() == 2


def test_retention_purges_only_rows_past_the_limit(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(action=Action.LOGIN, created_at=now - timedelta(days=d))
            for d in (40, 31, 29, 1)
        ]
    )
    assert audit_purge_expired(batch_size=1) == 2
    ages = sorted(
        (now - r.created_at).days for r in AuditEntry.objects.exclude(action=Action.AUDIT_PURGE)
    )
    assert ages == [1, 29]
    purge = AuditEntry.objects.get(action=Action.AUDIT_PURGE)
    assert purge.after["deleted"] == 2


def test_purge_task_is_in_the_beat_schedule():
    from agentstudio.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "audit.purge_expired" in tasks
    assert "audit.purge_expired" in app.tasks
