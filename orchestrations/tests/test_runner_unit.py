"""The runner's pass without a worker: idempotent (a repeated or late pass starts nothing twice),
advancing from recorded outcomes only, and found again by the recovery job."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conversations.models import Conversation, Entry, Status
from orchestrations.models import OrchestrationRun, RunEvent, RunStep
from orchestrations.runner.advance import run_advance, stale_runs
from orchestrations.services import orchestration_create, run_cancel, run_start

pytestmark = pytest.mark.django_db

SPEC = {
    "sequence": [
        {"agent": "Research Agent", "id": "research"},
        {"agent": "Report Agent", "input": "Report: {steps.research} / {input}"},
    ]
}


def _finish(conversation: Conversation, text: str) -> None:
    Entry.objects.create(
        conversation=conversation, position=99, type=Entry.Type.MESSAGE_OUTPUT, text=text
    )
    Conversation.objects.filter(pk=conversation.pk).update(status=Status.COMPLETED)


@pytest.fixture
def run(guide_graph, team):
    _, members = team
    orchestration = orchestration_create(
        actor=members["admin"], graph=guide_graph, name="unit", spec=SPEC
    )
    return run_start(actor=members["operator"], orchestration=orchestration, inputs="Topic")


def test_passes_are_idempotent_and_advance_on_recorded_outcomes(run):
    assert run_advance(run.pk) == "running"
    assert run_advance(run.pk) == "running"  # a duplicate pass starts nothing again
    first = RunStep.objects.get(run=run, path="spec.sequence[0]")
    assert Conversation.objects.filter(metadata__orchestration_run=str(run.pk)).count() == 1
    assert first.conversation.metadata["orchestration_step"] == "spec.sequence[0]"

    _finish(first.conversation, "FINDINGS")
    assert run_advance(run.pk) == "running"
    second = RunStep.objects.get(run=run, path="spec.sequence[1]")
    assert second.input == "Report: FINDINGS / Topic"
    run_advance(run.pk)
    assert Conversation.objects.filter(metadata__orchestration_run=str(run.pk)).count() == 2

    _finish(second.conversation, "REPORT")
    assert run_advance(run.pk) == "completed"
    run.refresh_from_db()
    assert run.output == "REPORT" and run.finished_at is not None
    assert run_advance(run.pk) is None  # a late pass over a finished run does nothing
    seqs = list(RunEvent.objects.filter(run=run).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_failed_step_without_fallback_fails_the_run_with_its_error(run):
    run_advance(run.pk)
    step = RunStep.objects.get(run=run, path="spec.sequence[0]")
    Conversation.objects.filter(pk=step.conversation_id).update(status="failed", error="boom")
    assert run_advance(run.pk) == "failed"
    run.refresh_from_db()
    assert run.error == "boom"
    assert not RunStep.objects.filter(run=run, path="spec.sequence[1]").exists()


def test_stale_runs_are_found_for_recovery(run):
    assert run.pk not in stale_runs(60)
    OrchestrationRun.objects.filter(pk=run.pk).update(
        advanced_at=timezone.now() - timezone.timedelta(seconds=120)
    )
    assert run.pk in stale_runs(60)


def test_cancel_stops_open_steps_and_their_conversations(run, team):
    _, members = team
    run_advance(run.pk)
    run_cancel(actor=members["operator"], run=run)
    step = RunStep.objects.get(run=run, path="spec.sequence[0]")
    assert step.status == "cancelled"
    assert Conversation.objects.get(pk=step.conversation_id).status == "cancelled"
    assert run_advance(run.pk) is None
