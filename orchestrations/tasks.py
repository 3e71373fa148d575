"""Celery tasks: thin, idempotent, taking ids; sent by name (`orchestrations.queue`, and the
conversations' status hook for a step's conversation)."""

from celery import shared_task
from django.conf import settings

from orchestrations.queue import ADVANCE_TASK, send_advance
from orchestrations.runner.advance import run_advance, stale_runs


@shared_task(
    name=ADVANCE_TASK,
    ignore_result=True,
    autoretry_for=(Exception,),
    max_retries=5,
    retry_backoff=True,
)
def advance(run_id: str) -> None:
    run_advance(run_id)


@shared_task(name="orchestrations.recover_runs", ignore_result=True)
def recover_runs(stale_after_s: float | None = None) -> list[str]:
    """Advance open runs no pass has touched lately (a lost task, a worker killed mid-pass)."""
    limit = stale_after_s if stale_after_s is not None else settings.ORCHESTRATION_STALE_AFTER_S
    ids = stale_runs(limit)
    for run_id in ids:
        send_advance(run_id)
    return [str(run_id) for run_id in ids]
