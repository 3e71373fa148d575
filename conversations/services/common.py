"""Rows the other service modules build on: entry positions, new turns, result entries, and
cancelling a conversation's open pending actions."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.utils import timezone

from agents.models import Agent
from conversations.eventlog import append_events, publish_feed
from conversations.events import EventType, FunctionResultData
from conversations.models import Conversation, Entry, PendingAction, Turn


def entry_next_position(conversation: Conversation) -> int:
    """The position after the conversation's last entry."""
    last = conversation.entries.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def turn_create(
    *,
    conversation: Conversation,
    kind: str,
    inputs: list[dict[str, Any]] | None,
    number: int | None = None,
) -> Turn:
    """A queued turn numbered after the conversation's last, unless the caller knows its number
    (a new conversation's is 1). The caller enqueues it."""
    if number is None:
        number = (conversation.turns.aggregate(n=Max("number"))["n"] or 0) + 1
    return Turn.objects.create(conversation=conversation, number=number, kind=kind, inputs=inputs)


def function_result_add(
    *,
    conversation: Conversation,
    action: PendingAction,
    position: int,
    agent: Agent | None,
    actor=None,
    automatic: bool = False,
) -> tuple[Entry, FunctionResultData]:
    """The function.result entry answering a resolved action, and its event's data (the caller
    appends it with the action's other events, in its transaction)."""
    data: dict[str, Any] = {
        "tool_call_id": action.tool_call_id,
        "result": action.result,
        "name": action.name,
    }
    if automatic:
        data["automatic"] = True
    entry = Entry.objects.create(
        conversation=conversation,
        turn=action.turn,
        position=position,
        type=Entry.Type.FUNCTION_RESULT,
        agent=agent,
        data=data,
        created_by=actor,
    )
    event: FunctionResultData = {
        "entry": str(entry.pk),
        "tool_call_id": action.tool_call_id,
        "name": action.name,
        "result": action.result,
        "user": getattr(actor, "username", None),
    }
    if automatic:
        event["automatic"] = True
    return entry, event


def pending_cancel_all(*, conversation: Conversation) -> None:
    """Cancel the conversation's open pending actions, each logged and announced."""
    for action in conversation.pending_actions.filter(status=PendingAction.State.PENDING):
        moved = PendingAction.objects.filter(
            pk=action.pk, status=PendingAction.State.PENDING
        ).update(status=PendingAction.State.CANCELLED, resolved_at=timezone.now())
        if moved:
            action.status = PendingAction.State.CANCELLED
            append_events(conversation.pk, [(EventType.PENDING_RESOLVED, action.as_data())])
            publish_feed(
                conversation.graph.workspace_id, EventType.PENDING_RESOLVED, action.as_data()
            )
