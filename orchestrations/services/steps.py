"""Writes on a run's steps: each one a row change and its event in the run's log.

The runner calls these inside its pass (which holds the run's lock); cancelling a run calls
`steps_stop` too. A step's status moves only from an open status, so a late pass never reopens
a finished step.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from django.utils import timezone

from conversations.errors import ConversationConflict
from conversations.events import RunEventType, StepData
from conversations.models import FINAL_STATUSES as CONVERSATION_FINAL
from conversations.services import conversation_cancel
from orchestrations.eventlog import append_run_events
from orchestrations.models import OPEN_STATUSES, OrchestrationRun, RunStep, Status

MAX_OUTPUT_IN_EVENT = 4_000


def step_data(step: RunStep, **extra: Any) -> StepData:
    data: StepData = {
        "path": step.path,
        "kind": step.kind,
        "agent": step.agent_name or None,
        "conversation": str(step.conversation_id) if step.conversation_id else None,
        "attempt": step.attempt,
    }
    data.update(extra)  # type: ignore[typeddict-item]
    return data


def step_create(
    *, run: OrchestrationRun, path: str, kind: str, agent_name: str = "", detail: dict, now
) -> RunStep:
    step = RunStep.objects.create(
        run=run,
        path=path,
        kind=kind,
        agent_name=agent_name,
        status=Status.RUNNING,
        detail=detail,
        attempt_started_at=now,
    )
    if kind != "agent":  # an agent step starts when its conversation does
        append_run_events(run.pk, [(RunEventType.STEP_STARTED, step_data(step))])
    return step


def step_conversation_started(*, step: RunStep, conversation, agent, text: str) -> None:
    step.conversation = conversation
    step.agent = agent
    step.input = text
    step.status = Status.QUEUED
    step.save(update_fields=["conversation", "agent", "input", "status"])
    append_run_events(step.run_id, [(RunEventType.STEP_STARTED, step_data(step))])


def step_set_status(*, step: RunStep, status: str) -> None:
    if step.status != status and step.status in OPEN_STATUSES:
        RunStep.objects.filter(pk=step.pk, status__in=OPEN_STATUSES).update(status=status)
        step.status = status


def step_detail(*, step: RunStep, **values: Any) -> None:
    if any(step.detail.get(key) != value for key, value in values.items()):
        step.detail = {**step.detail, **values}
        RunStep.objects.filter(pk=step.pk).update(detail=step.detail)


def step_finish(*, step: RunStep, output: str, now: datetime) -> None:
    moved = RunStep.objects.filter(pk=step.pk, status__in=OPEN_STATUSES).update(
        status=Status.COMPLETED, output=output, finished_at=now, retry_at=None
    )
    if moved:
        step.status, step.output, step.finished_at = Status.COMPLETED, output, now
        append_run_events(
            step.run_id,
            [(RunEventType.STEP_FINISHED, step_data(step, output=output[:MAX_OUTPUT_IN_EVENT]))],
        )


def step_fail(*, step: RunStep, error: str, now: datetime, status: str = Status.FAILED) -> None:
    moved = RunStep.objects.filter(pk=step.pk, status__in=OPEN_STATUSES).update(
        status=status, error=error, finished_at=now, retry_at=None
    )
    if moved:
        step.status, step.error, step.finished_at = status, error, now
        append_run_events(step.run_id, [(RunEventType.STEP_FAILED, step_data(step, error=error))])


def step_retry(*, step: RunStep, error: str, delay_s: float, now: datetime) -> None:
    """Record the failed attempt and schedule the next; the step stays open."""
    data = step_data(step, error=error, retry_in_s=delay_s)
    step.attempts = [
        *step.attempts,
        {"attempt": step.attempt, "conversation": data["conversation"], "error": error},
    ]
    step.attempt += 1
    step.conversation = None
    step.status = Status.RUNNING
    step.error = error
    step.retry_at = now + timezone.timedelta(seconds=delay_s) if delay_s else None
    step.attempt_started_at = step.retry_at or now
    step.save(
        update_fields=[
            "attempts",
            "attempt",
            "conversation",
            "status",
            "error",
            "retry_at",
            "attempt_started_at",
        ]
    )
    append_run_events(step.run_id, [(RunEventType.STEP_RETRIED, data)])


def conversation_stop(*, run: OrchestrationRun, conversation) -> None:
    if conversation is not None and conversation.status not in CONVERSATION_FINAL:
        with contextlib.suppress(ConversationConflict):  # it finished meanwhile
            conversation_cancel(actor=run.started_by, conversation=conversation)


def steps_stop(*, run: OrchestrationRun, steps: list[RunStep], reason: str, now) -> None:
    """Cancel these open steps and their conversations (a running one stops at its worker's next
    event; the conversation records that itself)."""
    for step in steps:
        if step.status not in OPEN_STATUSES:
            continue
        conversation_stop(run=run, conversation=step.conversation)
        step_fail(step=step, error=reason, now=now, status=Status.CANCELLED)
