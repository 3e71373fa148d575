"""Crash recovery: turns whose worker died (no heartbeat) are reconciled from the backend's
history, and queued turns nobody claimed are found for the task to send again."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from conversations.engine.lifecycle import finish_turn, heartbeat
from conversations.engine.recorder import TurnRecorder
from conversations.events import OWN_EVENT_TYPES, EventType
from conversations.models import Entry, Event, Turn
from conversations.projection import ZERO_USAGE
from conversations.queue import enqueue_turn
from conversations.services.turns import (
    conversation_set_remote_id,
    turn_claim_stale,
    turn_fail,
    turn_outputs_delete,
    turn_requeue,
)
from integrations.mistral import backend
from integrations.mistral.sync import local_agents_by_remote_id


def stale_turns(stale_after_s: float) -> list[Turn]:
    cutoff = timezone.now() - timedelta(seconds=stale_after_s)
    return list(Turn.objects.filter(state=Turn.State.RUNNING, heartbeat_at__lt=cutoff))


def forgotten_turns(older_than_s: float) -> list[UUID]:
    """Queued turns nobody claimed: old ones (message lost), and any the broker refused."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    return list(
        Turn.objects.filter(
            Q(created_at__lt=cutoff) | Q(enqueue_failed_at__isnull=False), state=Turn.State.QUEUED
        ).values_list("pk", flat=True)
    )


def synthesize(
    entry: dict[str, Any], recorder: TurnRecorder, index: int
) -> list[tuple[EventType, dict]]:
    """Stream events that complete what the log already holds of one history entry (its
    `type` is an entry type: agent.handoff, message.output, …)."""
    kind, rid = entry.get("type"), entry.get("id")
    seen = recorder.projection.entries.get(rid) if rid else None
    seen_data = seen["data"] if seen is not None else {}
    agent = {"agent_id": entry.get("agent_id"), "model": entry.get("model")}
    out: list[tuple[EventType, dict]] = []

    def emit(event_type: EventType, **fields: Any) -> None:
        data = {"type": event_type.value, "id": rid, "output_index": index, **fields}
        out.append((event_type, data))

    if kind == Entry.Type.AGENT_HANDOFF:
        previous = {k: entry.get(k) for k in ("previous_agent_id", "previous_agent_name")}
        following = {k: entry.get(k) for k in ("next_agent_id", "next_agent_name")}
        if seen is None:
            emit(EventType.AGENT_HANDOFF_STARTED, **previous)
        if seen is None or "next_agent_id" not in seen_data:
            emit(EventType.AGENT_HANDOFF_DONE, **following)
    elif kind == Entry.Type.MESSAGE_OUTPUT:
        content = entry.get("content")
        chunks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        have_text = seen["text"] if seen is not None else ""
        have_files = {c.get("file_id") for c in seen_data.get("chunks", [])}
        message = {"content_index": 0, "role": "assistant", **agent}
        text_so_far = ""
        for chunk in chunks:
            is_text, is_file = chunk.get("type") == "text", chunk.get("type") == "tool_file"
            if is_text:
                piece = chunk.get("text") or ""
                start = max(0, min(len(piece), len(have_text) - len(text_so_far)))
                text_so_far += piece
                if piece[start:]:
                    emit(EventType.MESSAGE_OUTPUT_DELTA, content=piece[start:], **message)
            elif (is_file and chunk.get("file_id") not in have_files) or (
                not is_file and seen is None
            ):
                emit(EventType.MESSAGE_OUTPUT_DELTA, content=chunk, **message)
    elif kind == Entry.Type.TOOL_EXECUTION:
        if seen is None:
            emit(EventType.TOOL_EXECUTION_STARTED, name=entry.get("name"),
                 arguments=entry.get("arguments") or "", **agent)  # fmt: skip
        if seen is None or not seen_data.get("done"):
            info = entry.get("info") or {}
            emit(EventType.TOOL_EXECUTION_DONE, name=entry.get("name"), info=info)
    elif kind == Entry.Type.FUNCTION_CALL:
        args = entry.get("arguments")
        args = args if isinstance(args, str) else json.dumps(args)
        have = seen_data.get("arguments", "")
        if seen is None or len(args) > len(have):
            rest = args[len(have) :] if args.startswith(have) else args
            call = {"name": entry.get("name"), "tool_call_id": entry.get("tool_call_id")}
            emit(EventType.FUNCTION_CALL_DELTA, arguments=rest, **call, **agent)
    return out


def turn_recover(turn_id: UUID | str, stale_after_s: float) -> str:
    """Reconcile a turn whose worker died from the backend's history. Returns what was done."""
    claim = turn_claim_stale(turn_id=turn_id, stale_after_s=stale_after_s)
    if claim is None:
        return "not stale"
    turn, claimed_at = claim
    conversation = turn.conversation
    if conversation.runtime == "local":
        # No backend holds a local run's history: the turn runs again from the entries, which
        # its dead attempt's half-written outputs must not join.
        turn_outputs_delete(turn=turn)
        return "requeued" if turn_requeue(turn=turn, claimed_at=claimed_at) else "alive"
    try:
        remote_id = conversation.remote_id or backend.conversation_find(
            {"agentstudio_conversation": str(conversation.pk)}
        )
        history = backend.conversation_history(remote_id) if remote_id else []
    except backend.BackendError as exc:
        error = f"The worker stopped mid-turn and recovery failed: {exc}"
        turn_fail(conversation=conversation, turn=turn, error=error)
        return "failed"
    known = set(
        Entry.objects.filter(conversation=conversation)
        .exclude(turn=turn)
        .exclude(remote_id="")
        .values_list("remote_id", flat=True)
    )
    last_known = max((i for i, e in enumerate(history) if e.get("id") in known), default=-1)
    after = history[last_known + 1 :]
    if not after:
        # The backend never saw this turn's input: send it (once) now, unless the turn's
        # worker turned out to be alive after all.
        return "requeued" if turn_requeue(turn=turn, claimed_at=claimed_at) else "alive"
    if remote_id != conversation.remote_id:
        conversation_set_remote_id(conversation=conversation, remote_id=remote_id)
    agents_by_remote = local_agents_by_remote_id(conversation.graph)
    # Rebuild the turn from the log (entries may lag the events): drop its partial entries,
    # replay its logged stream events, then add only what the history has beyond them.
    turn_outputs_delete(turn=turn)
    recorder = TurnRecorder(conversation, turn, agents_by_remote)
    logged = Event.objects.filter(conversation=conversation, seq__gt=turn.start_seq).order_by("seq")
    for event in logged:
        if event.type not in OWN_EVENT_TYPES:
            recorder.apply(event.type, event.data)
    inputs = (Entry.Type.MESSAGE_INPUT, Entry.Type.FUNCTION_RESULT)
    outputs = [e for e in after if e.get("type") not in inputs]
    for index, entry in enumerate(outputs):
        for kind, data in synthesize(entry, recorder, index):
            recorder.add(kind, data)
    recorder.add(
        EventType.RESPONSE_DONE,
        {"type": EventType.RESPONSE_DONE.value, "usage": dict(ZERO_USAGE)},
    )
    with heartbeat(turn.pk):
        next_turn = finish_turn(recorder)
    if next_turn:
        enqueue_turn(next_turn)
    return "recovered"
