"""A pass over one run, under the run's lock: advance the tree, then settle the run's status.

Passes are triggered by the end (or any status change) of a step's conversation, by the run's
start, by retry backoffs and timeouts coming due, and by the recovery job. Each is idempotent:
two passes never run at once on a run (the first statement takes its row lock), and a finished
step is never run again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from orchestrations import queue
from orchestrations.models import OPEN_STATUSES, OrchestrationRun, Status
from orchestrations.runner.tree import Pass
from orchestrations.services.runs import run_set_status
from orchestrations.services.steps import steps_stop

logger = logging.getLogger(__name__)


def run_advance(run_id: UUID | str) -> str | None:
    """One pass; returns the run's status afterwards (None: no such open run)."""
    now = timezone.now()
    with transaction.atomic():
        # The lock: this UPDATE holds the run's row (SQLite: the database) until the commit.
        if not OrchestrationRun.objects.filter(pk=run_id, status__in=OPEN_STATUSES).update(
            advanced_at=now
        ):
            return None
        run = OrchestrationRun.objects.select_related("graph", "started_by").get(pk=run_id)
        if run.status == Status.QUEUED:
            run_set_status(run=run, status=Status.RUNNING)
        tree = Pass(run, now)
        outcome = tree.node(run.spec, "spec", run.inputs)
        if outcome.state == "done":
            run_set_status(run=run, status=Status.COMPLETED, output=outcome.output)
        elif outcome.state == "failed":
            steps_stop(
                run=run, steps=list(tree.steps.values()), reason="Stopped: the run failed.", now=now
            )
            run_set_status(run=run, status=Status.FAILED, error=outcome.error)
        else:
            run_set_status(run=run, status=_waiting_status(tree.steps.values()))
            _wake(run.pk, tree.wake_at, now)
    return run.status


def _waiting_status(steps) -> str:
    """Running while any agent step runs or a retry is due; awaiting input when every open agent
    step waits for a person (the inbox)."""
    agent_steps = [s for s in steps if s.kind == "agent" and s.status in OPEN_STATUSES]
    retry_due = any(s.retry_at for s in steps if s.status in OPEN_STATUSES)
    if (
        agent_steps
        and not retry_due
        and all(s.status == Status.AWAITING_INPUT for s in agent_steps)
    ):
        return Status.AWAITING_INPUT
    return Status.RUNNING


def _wake(run_id, moments: list[datetime], now: datetime) -> None:
    if moments:
        delay = max(0.0, (min(moments) - now).total_seconds()) + 0.05
        queue.enqueue_advance(run_id, countdown=delay)


def stale_runs(stale_after_s: float) -> list[UUID]:
    """Open runs no pass has touched for a while: a lost task, or a worker killed mid-pass."""
    cutoff = timezone.now() - timezone.timedelta(seconds=stale_after_s)
    return list(
        OrchestrationRun.objects.filter(
            status__in=OPEN_STATUSES, advanced_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
