"""Sending turns to the worker: by task name, on commit, through this one module.

Services enqueue here and never import the tasks (which import the engine, which calls the
services), so there is no import circle. The task runs on the default queue
(`CELERY_TASK_DEFAULT_QUEUE`, from the CELERY_QUEUE setting), where the workers listen.
"""

from __future__ import annotations

from uuid import UUID

from celery import current_app
from django.db import transaction

RUN_TURN_TASK = "conversations.run_turn"


def send_turn(turn_id: UUID | str) -> None:
    """Hand the turn to the broker now. The task's claim makes a duplicate harmless."""
    current_app.send_task(RUN_TURN_TASK, args=[str(turn_id)])


def enqueue_turn(turn_id: UUID | str) -> None:
    """Send the turn once the surrounding transaction commits (at once outside one), so the
    worker never looks for a turn that is not there yet."""
    transaction.on_commit(lambda: send_turn(turn_id))
