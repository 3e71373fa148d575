"""Answering an approval (a worker-run tool whose policy says `ask`). The web request only
records the decision: rejecting gives the model a refusal to read at once; approving marks the
call `approved` (to run), and the follow-up turn's worker runs the tool before it sends the
results (`approval_record_result`), so a tool never runs inside a request, a redelivered task
finds the turn claimed, and a dead worker's turn is requeued by recovery and runs it then."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from conversations import tool_policy
from conversations.errors import ConversationError
from conversations.eventlog import append_events, publish_feed
from conversations.events import EventType
from conversations.models import Entry, PendingAction, Turn
from conversations.services.common import entry_next_position, function_result_add

APPROVED = "approved"  # decided, not run yet: the follow-up turn's worker runs it


def approval_decide(*, actor, action: PendingAction, decision: Any) -> dict[str, Any]:
    """What `pending_resolve` records (its compare-and-set settles two deciders at once)."""
    if decision not in ("approve", "reject"):
        raise ConversationError("Decide approve or reject.", field="decision")
    if decision == "approve":
        return {"decision": APPROVED}
    who = getattr(actor, "username", None) or "someone"
    return {"decision": "reject", "result": tool_policy.refusal(action.name, f"{who} rejected it")}


def approvals_to_run(turn: Turn) -> list[PendingAction]:
    """The approved calls whose results this (results) turn is still waiting for."""
    waiting = [
        item.get("tool_call_id")
        for item in turn.inputs or []
        if isinstance(item, dict)
        and item.get("type") == Entry.Type.FUNCTION_RESULT
        and item.get("result") is None
    ]
    if not waiting:
        return []
    return list(
        PendingAction.objects.filter(
            conversation_id=turn.conversation_id,
            kind=PendingAction.Kind.APPROVAL,
            decision=APPROVED,
            tool_call_id__in=waiting,
        )
        .select_related("agent", "resolved_by", "turn")
        .order_by("created_at")
    )


def approval_record_result(*, turn: Turn, action: PendingAction, result: str) -> bool:
    """The worker ran an approved tool: its result becomes the function.result (by the person
    who approved it) and this turn's input. False if it was recorded already."""
    conversation = turn.conversation
    with transaction.atomic():
        moved = PendingAction.objects.filter(pk=action.pk, decision=APPROVED).update(
            decision="approve", result=result
        )
        if not moved:
            return False
        action.refresh_from_db()
        _, data = function_result_add(
            conversation=conversation,
            action=action,
            position=entry_next_position(conversation),
            agent=action.agent,
            actor=action.resolved_by,
        )
        locked = Turn.objects.select_for_update().get(pk=turn.pk)
        inputs = [
            {**item, "result": result}
            if isinstance(item, dict) and item.get("tool_call_id") == action.tool_call_id
            else item
            for item in locked.inputs or []
        ]
        Turn.objects.filter(pk=turn.pk).update(inputs=inputs)
        turn.inputs = inputs
        append_events(
            conversation.pk,
            [(EventType.PENDING_RESOLVED, action.as_data()), (EventType.FUNCTION_RESULT, data)],
        )
        publish_feed(conversation.graph.workspace_id, EventType.PENDING_RESOLVED, action.as_data())
    return True
