"""Sending runs to the worker: by task name, on commit (nothing here imports the tasks)."""

from __future__ import annotations

import logging
from uuid import UUID

from django.db import transaction

from conversations.queue import send_task

logger = logging.getLogger(__name__)

ADVANCE_TASK = "orchestrations.advance"


def send_advance(run_id: UUID | str, countdown: float | None = None) -> None:
    try:
        send_task(ADVANCE_TASK, str(run_id), countdown=countdown)
    except Exception:  # a broken broker: the recovery job advances the run later
        logger.warning("could not enqueue a pass over run %s", run_id)


def enqueue_advance(run_id: UUID | str, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: send_advance(run_id, countdown))
