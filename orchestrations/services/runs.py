"""Runs: start one (a snapshot of the spec, queued, advanced on commit), cancel one, and the
compare-and-set status changes the runner makes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from conversations.events import RunEventType, RunStatusData
from conversations.services import MAX_INPUT_CHARS
from orchestrations import queue
from orchestrations.eventlog import append_run_events
from orchestrations.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Orchestration,
    OrchestrationRun,
    RunStep,
    Status,
)
from orchestrations.services.steps import steps_stop
from orchestrations.spec import agent_names, spec_errors
from workspaces.exceptions import DomainValidationError, StateConflict


class RunConflict(StateConflict):
    """The run is not in a status that allows this (a 409)."""


def _clean_inputs(inputs: Any) -> str:
    if not isinstance(inputs, str) or not inputs.strip():
        raise DomainValidationError({"inputs": ["Write the run's input (non-empty text)."]})
    if len(inputs) > MAX_INPUT_CHARS:
        raise DomainValidationError({"inputs": [f"At most {MAX_INPUT_CHARS} characters."]})
    return inputs


def run_start(*, actor, orchestration: Orchestration, inputs: Any) -> OrchestrationRun:
    text = _clean_inputs(inputs)
    graph = orchestration.graph
    names = set(graph.agents.values_list("name", flat=True))
    errors = spec_errors(orchestration.spec, names)
    if errors:  # an agent renamed or deleted since the spec was saved
        raise DomainValidationError(errors)
    with transaction.atomic():
        run = OrchestrationRun.objects.create(
            orchestration=orchestration,
            graph=graph,
            name=orchestration.name,
            spec=orchestration.spec,
            graph_revision=graph.revision,
            inputs=text,
            started_by=actor,
            advanced_at=timezone.now(),
        )
        append_run_events(run.pk, [(RunEventType.RUN_STATUS, {"status": Status.QUEUED})])
        audit_record(
            actor=actor,
            action=Action.ORCHESTRATION_RUN,
            obj=run,
            workspace=graph.workspace,
            after={
                "orchestration": str(orchestration.pk),
                "name": orchestration.name,
                "graph": str(graph.pk),
                "agents": sorted(agent_names(orchestration.spec)),
                "inputs": text,
            },
        )
        queue.enqueue_advance(run.pk)
    return run


def run_set_status(
    *, run: OrchestrationRun, status: str, output: str = "", error: str = ""
) -> bool:
    if run.status == status:
        return False
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "updated_at": now}
    if status in FINAL_STATUSES:
        fields.update(finished_at=now, output=output, error=error)
    moved = OrchestrationRun.objects.filter(pk=run.pk, status__in=OPEN_STATUSES).update(**fields)
    if not moved:
        return False
    for key, value in fields.items():
        setattr(run, key, value)
    data: RunStatusData = {"status": status}
    if error:
        data["error"] = error
    append_run_events(run.pk, [(RunEventType.RUN_STATUS, data)])
    return True


def run_cancel(*, actor, run: OrchestrationRun) -> OrchestrationRun:
    """Stop every open step (their conversations are cancelled) and the run with them."""
    with transaction.atomic():
        before = run.status
        if not OrchestrationRun.objects.filter(pk=run.pk, status__in=OPEN_STATUSES).update(
            advanced_at=timezone.now()
        ):
            raise RunConflict("The run has already finished.")
        run.refresh_from_db()
        steps = list(
            RunStep.objects.filter(run=run, status__in=OPEN_STATUSES).select_related("conversation")
        )
        steps_stop(run=run, steps=steps, reason="Cancelled.", now=timezone.now())
        run_set_status(run=run, status=Status.CANCELLED, error="Cancelled.")
        audit_record(
            actor=actor,
            action=Action.ORCHESTRATION_CANCEL,
            obj=run,
            workspace=run.graph.workspace,
            before={"status": before},
            after={"status": Status.CANCELLED, "steps_stopped": len(steps)},
        )
    return run
