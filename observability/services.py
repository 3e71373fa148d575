"""Every write of the observability app: trace export state and the turn counters.

Exports happen in the worker after a turn, never inside a transaction (the network is touched
outside one), under a short lease so two exporters of one conversation never overlap.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db.models import F, Q
from django.utils import timezone

from agents.models import Agent
from conversations.models import Conversation, Event, PendingAction, Status
from observability import metrics, otlp
from observability.models import ConversationTrace
from observability.spans import (
    ENDING_STATUSES,
    AgentMeta,
    ConversationMeta,
    build_spans,
    error_kind,
    turn_durations,
)
from workspaces.selectors import one_or_none

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
WAITING = (Status.AWAITING_INPUT, *ENDING_STATUSES)


def conversation_meta(conversation: Conversation) -> ConversationMeta:
    agents = {
        a.name: AgentMeta(id=str(a.pk), name=a.name, model=a.model, description=a.description)
        for a in Agent.objects.filter(graph_id=conversation.graph_id)
    }
    entry = next((a for a in agents.values() if a.id == str(conversation.entry_agent_id)), None)
    answered = PendingAction.objects.filter(
        conversation=conversation, resolved_by__isnull=False
    ).values_list("id", "resolved_by__username")
    return ConversationMeta(
        id=str(conversation.pk),
        entry_agent=entry.name if entry else "agent",
        agents=agents,
        workspace_id=str(conversation.graph.workspace_id),
        graph_id=str(conversation.graph_id),
        answered_by={str(pk): username for pk, username in answered},
    )


def _events(conversation_id: UUID | str) -> list[dict[str, Any]]:
    return list(
        Event.objects.filter(conversation_id=conversation_id)
        .order_by("seq")
        .values("seq", "type", "data", "created_at")
    )


def _lease(conversation_id: UUID | str) -> ConversationTrace | None:
    ConversationTrace.objects.get_or_create(conversation_id=conversation_id)
    now = timezone.now()
    taken = ConversationTrace.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), conversation_id=conversation_id
    ).update(lease_until=now + LEASE)
    return ConversationTrace.objects.get(conversation_id=conversation_id) if taken else None


def trace_export(*, conversation_id: UUID | str, from_seq: int | None = None) -> str:
    """Send the spans that ended since the last export (or since `from_seq`: 0 sends the whole
    trace again, with the same ids). Returns what happened; never raises for the endpoint."""
    if not otlp.enabled():
        return "off"
    conversation = Conversation.objects.select_related("graph").filter(pk=conversation_id).first()
    if conversation is None:
        return "gone"
    state = _lease(conversation_id)
    if state is None:
        return "busy"
    try:
        events = _events(conversation_id)
        upto = events[-1]["seq"] if events else 0
        after = state.exported_seq if from_seq is None else from_seq
        spans = [
            s for s in build_spans(events, conversation_meta(conversation)) if s.end_seq > after
        ]
        error = otlp.export(spans)
        now = timezone.now()
        if error:
            logger.warning("trace export of %s failed: %s", conversation_id, error)
            ConversationTrace.objects.filter(pk=state.pk).update(
                failed_attempts=F("failed_attempts") + 1, last_error=error, last_attempt_at=now
            )
        else:
            ConversationTrace.objects.filter(pk=state.pk).update(
                exported_seq=max(upto, state.exported_seq),
                failed_attempts=0,
                last_error="",
                last_attempt_at=now,
            )
        _count_export("failed" if error else "sent")
        return f"failed: {error}" if error else f"sent {len(spans)} spans"
    finally:
        ConversationTrace.objects.filter(pk=state.pk).update(lease_until=None)


def _count_export(result: str) -> None:
    try:
        metrics.count_export(result)
    except Exception:  # a missing count must not turn into a failed export
        logger.warning("could not count the export", exc_info=True)


def turns_observe(*, conversation_id: UUID | str) -> int:
    """Count the turns that ended since the last observation into the metrics, once each.
    Returns how many were counted."""
    state, _ = ConversationTrace.objects.get_or_create(conversation_id=conversation_id)
    last_seq = one_or_none(
        Conversation.objects.filter(pk=conversation_id).values_list("last_seq", flat=True)
    )
    if not last_seq or last_seq <= state.observed_seq:
        return 0
    # Only the statuses logged since the last observation: every turn not counted yet started
    # after it. Reading the whole log (and its JSON) at each turn end cost more the longer the
    # conversation grew.
    statuses = list(
        Event.objects.filter(
            conversation_id=conversation_id,
            type="conversation.status",
            seq__gt=state.observed_seq,
            seq__lte=last_seq,
        )
        .order_by("seq")
        .values("seq", "type", "data", "created_at")
    )
    ended = [e["seq"] for e in statuses if e["data"].get("status") in WAITING]
    if not ended:
        return 0
    # Everything read, unless a turn is under way: that one is counted once it has ended.
    between_turns = statuses[-1]["seq"] == ended[-1]
    upto = last_seq if between_turns else ended[-1]
    moved = ConversationTrace.objects.filter(pk=state.pk, observed_seq=state.observed_seq).update(
        observed_seq=upto
    )
    if not moved:
        return 0  # another observer counted them
    durations = [
        (outcome, seconds) for seq, outcome, seconds in turn_durations(statuses) if seq <= upto
    ]
    errors = [
        error_kind(e["data"].get("error") or "")
        for e in statuses
        if e["seq"] <= upto and e["data"].get("status") == Status.FAILED
    ]
    metrics.count_turns(durations, errors)
    return len(durations)


def conversations_behind(limit: int = 50) -> list[UUID]:
    """Conversations between turns whose trace or counters lag behind their log (a failed
    export, or an end-of-turn task that never ran), most recently active first."""
    lagging = Q(trace_state__isnull=True) | Q(trace_state__observed_seq__lt=F("last_seq"))
    if otlp.enabled():
        lagging |= Q(trace_state__exported_seq__lt=F("last_seq"))
    return list(
        Conversation.objects.filter(lagging, status__in=WAITING, last_seq__gt=0)
        .order_by("-updated_at")
        .values_list("pk", flat=True)[:limit]
    )
