"""The worker's writes on a turn: claim, heartbeat, how it ends, usage, and recovery's claims.

Every state change is a compare-and-set, so a redelivered task or a second recovery job finds
nothing to do. Status changes go through `conversation_set_status` and so reach the log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from conversations.eventlog import append_events
from conversations.events import BackendRetryingData, EventType
from conversations.models import Conversation, Entry, Status, Turn
from conversations.projection import OUTPUT_TYPES
from conversations.queue import enqueue_turn
from conversations.services.common import pending_cancel_all
from conversations.services.status import conversation_set_status

TURN_RELATED = (
    "conversation",
    "conversation__graph",
    "conversation__active_agent",
    "conversation__entry_agent",
)


def turn_claim(*, turn_id: UUID | str) -> Turn | None:
    """Queued → running for this worker, or None if it is not queued (run, running, cancelled)."""
    claimed = Turn.objects.filter(pk=turn_id, state=Turn.State.QUEUED).update(
        state=Turn.State.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=timezone.now(),
        # Where this turn's events begin in the log: recovery replays them from here.
        start_seq=Subquery(
            Conversation.objects.filter(pk=OuterRef("conversation_id")).values("last_seq")[:1]
        ),
    )
    if not claimed:
        return None
    return Turn.objects.select_related(*TURN_RELATED).get(pk=turn_id)


def turn_heartbeat(*, turn_id: UUID | str) -> bool:
    """The running turn's worker is alive. False if the turn no longer runs."""
    return bool(
        Turn.objects.filter(pk=turn_id, state=Turn.State.RUNNING).update(
            heartbeat_at=timezone.now()
        )
    )


def _end(turn: Turn, state: str) -> None:
    Turn.objects.filter(pk=turn.pk).update(state=state, finished_at=timezone.now())


def turn_cancel_unstarted(*, conversation: Conversation, turn: Turn) -> None:
    """A claimed turn whose conversation was cancelled meanwhile (e.g. while a registered
    function ran): end both here, with any pending actions."""
    with transaction.atomic():
        _end(turn, Turn.State.CANCELLED)
        conversation_set_status(
            conversation=conversation,
            expected=(Status.RUNNING, Status.QUEUED),
            status=Status.CANCELLED,
        )
        pending_cancel_all(conversation=conversation)


def turn_cancelled(*, conversation: Conversation, turn: Turn) -> None:
    """The worker stopped the stream on the cancel flag."""
    with transaction.atomic():
        _end(turn, Turn.State.CANCELLED)
        conversation_set_status(
            conversation=conversation, expected=(Status.RUNNING,), status=Status.CANCELLED
        )


def turn_fail(*, conversation: Conversation, turn: Turn, error: str) -> None:
    with transaction.atomic():
        _end(turn, Turn.State.FAILED)
        # Half-written outputs of the failed turn go; the event log keeps what was seen.
        Entry.objects.filter(turn=turn, type__in=OUTPUT_TYPES).delete()
        pending_cancel_all(conversation=conversation)
        conversation_set_status(
            conversation=conversation,
            expected=(Status.RUNNING, Status.QUEUED),
            status=Status.FAILED,
            error=error,
        )


def turn_complete(*, conversation: Conversation, turn: Turn) -> None:
    with transaction.atomic():
        _end(turn, Turn.State.DONE)
        conversation_set_status(
            conversation=conversation, expected=(Status.RUNNING,), status=Status.COMPLETED
        )


def turn_record_retry(*, conversation: Conversation, notice: BackendRetryingData) -> bool:
    """Log that the worker is about to retry the backend, for the page to show. Returns False
    when the conversation was cancelled meanwhile (the retries should stop)."""
    append_events(conversation.pk, [(EventType.BACKEND_RETRYING, notice)])
    return not Conversation.objects.filter(pk=conversation.pk, cancel_requested=True).exists()


def conversation_add_usage(*, conversation: Conversation, usage: dict[str, Any]) -> None:
    """Add a response's token usage to the conversation's totals."""
    Conversation.objects.filter(pk=conversation.pk).update(
        prompt_tokens=F("prompt_tokens") + int(usage.get("prompt_tokens") or 0),
        completion_tokens=F("completion_tokens") + int(usage.get("completion_tokens") or 0),
        total_tokens=F("total_tokens") + int(usage.get("total_tokens") or 0),
    )


# -- recovery -----------------------------------------------------------------------------------
def turn_claim_stale(*, turn_id: UUID | str, stale_after_s: float) -> tuple[Turn, datetime] | None:
    """Take over a running turn whose heartbeat is older than `stale_after_s`, by beating for
    it. Returns the turn and the beat's time, or None if it is not stale (any more)."""
    claimed_at = timezone.now()
    cutoff = claimed_at - timedelta(seconds=stale_after_s)
    claimed = Turn.objects.filter(
        pk=turn_id, state=Turn.State.RUNNING, heartbeat_at__lt=cutoff
    ).update(heartbeat_at=claimed_at)
    if not claimed:
        return None
    turn = Turn.objects.select_related(
        "conversation", "conversation__graph", "conversation__active_agent"
    ).get(pk=turn_id)
    return turn, claimed_at


def turn_requeue(*, turn: Turn, claimed_at: datetime) -> bool:
    """Send a stale turn again, unless its worker turned out to be alive after all (it beat
    since recovery claimed it). Returns whether it was requeued."""
    with transaction.atomic():
        requeued = Turn.objects.filter(
            pk=turn.pk, state=Turn.State.RUNNING, heartbeat_at=claimed_at
        ).update(state=Turn.State.QUEUED)
        if requeued:
            enqueue_turn(turn.pk)
    return bool(requeued)


def conversation_set_remote_id(*, conversation: Conversation, remote_id: str) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(remote_id=remote_id)
    conversation.remote_id = remote_id


def turn_outputs_delete(*, turn: Turn) -> None:
    """Drop a turn's output entries, for recovery to rebuild them from the log."""
    Entry.objects.filter(turn=turn, type__in=OUTPUT_TYPES).delete()
