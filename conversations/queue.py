"""Sending turns to the worker: by task name, on commit, through this one module.

Services enqueue here and never import the tasks (which import the engine, which calls the
services), so there is no import circle. The task runs on the default queue
(`CELERY_TASK_DEFAULT_QUEUE`, from the CELERY_QUEUE setting), where the workers listen.
"""

from __future__ import annotations

import logging
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from conversations.models import Conversation, Turn

logger = logging.getLogger(__name__)

RUN_TURN_TASK = "conversations.run_turn"
# Observability's end-of-turn task (metrics, trace export), by name: nothing here imports it.
TURN_ENDED_TASK = "observability.turn_ended"
# A step of an orchestration run: the runner's next pass, by name (nothing here imports it).
ORCHESTRATION_ADVANCE_TASK = "orchestrations.advance"
ORCHESTRATION_RUN_KEY = "orchestration_run"  # in the metadata of a step's conversation


class _Sent:
    """What `send_task` hands back instead of an `AsyncResult`, whose construction sets up the
    result backend (per thread): nobody reads our tasks' results."""

    def __init__(self, task_id: str) -> None:
        self.id = task_id


def send_task(name: str, *args: str, **options) -> None:
    """Send a fire-and-forget task by name. Celery, sending by name, does not know the task
    ignores its result and would subscribe to the result backend for every message sent (a
    Redis round trip and a subscription per turn); none of ours has a result anyone reads."""
    current_app.send_task(
        name,
        args=list(args),
        ignore_result=True,
        add_to_parent=False,
        result_cls=_Sent,
        **options,
    )


def send_turn(turn_id: UUID | str, *, resend: bool = False) -> bool:
    """Hand a queued turn to the broker now; never raises. The task's claim makes a duplicate
    harmless. Its rows are committed by now, so a broker outage must not become a 500 that a
    retry would duplicate: the turn is marked instead, and the periodic recovery sends it again
    (`resend`, which clears the mark) once the broker is back."""
    try:
        send_task(RUN_TURN_TASK, str(turn_id))
    except Exception:  # kombu's OperationalError, or whatever else a broken broker raises
        logger.exception("could not enqueue turn %s; the recovery job will send it", turn_id)
        Turn.objects.filter(pk=turn_id, state=Turn.State.QUEUED).update(
            enqueue_failed_at=timezone.now()
        )
        return False
    if resend:
        Turn.objects.filter(pk=turn_id, enqueue_failed_at__isnull=False).update(
            enqueue_failed_at=None
        )
    return True


def enqueue_turn(turn_id: UUID | str) -> None:
    """Send the turn once the surrounding transaction commits (at once outside one), so the
    worker never looks for a turn that is not there yet."""
    transaction.on_commit(lambda: send_turn(turn_id))


def enqueue_turn_ended(conversation_id: UUID | str) -> None:
    """After the commit, tell observability that a turn ended. Never raises and never waits on
    the export: a broker outage only delays it (its periodic retry finds the conversation)."""

    def send() -> None:
        # Apps above the engine listen too (settings.TURN_ENDED_EXTRA_TASKS, e.g. the suites).
        for task in (TURN_ENDED_TASK, *getattr(settings, "TURN_ENDED_EXTRA_TASKS", ())):
            try:
                send_task(task, str(conversation_id))
            except Exception:
                logger.warning("could not enqueue %s for %s", task, conversation_id)

    transaction.on_commit(send)


def enqueue_orchestration_advance(conversation: Conversation) -> None:
    """A step's conversation changed status: after the commit, let its run take the next pass.
    Never raises: the orchestrations' recovery job advances a run whose pass was not sent."""
    run_id = (conversation.metadata or {}).get(ORCHESTRATION_RUN_KEY)
    if not run_id:
        return

    def send() -> None:
        try:
            send_task(ORCHESTRATION_ADVANCE_TASK, str(run_id))
        except Exception:
            logger.warning("could not enqueue a pass over run %s", run_id)

    transaction.on_commit(send)
