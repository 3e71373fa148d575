"""Pending actions: the worker records them (function calls, client-mode handoffs), people
answer them, and the last answer of a turn queues the next turn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from audit.models import Action
from audit.services import audit_record
from conversations.errors import ConversationConflict, ConversationError
from conversations.eventlog import append_events, publish_feed
from conversations.events import EventType
from conversations.models import Conversation, Entry, PendingAction, Status, Turn
from conversations.queue import enqueue_turn
from conversations.services.approvals import APPROVED, approval_decide
from conversations.services.common import entry_next_position, function_result_add, turn_create
from conversations.services.status import conversation_set_status

MAX_RESULT_CHARS = 200_000


@dataclass(frozen=True)
class FunctionCall:
    """A function call a turn ended with, as the worker hands it over."""

    tool_call_id: str
    name: str
    arguments: dict[str, Any]
    agent: Agent | None
    automatic_result: str | None = None  # set when the worker ran a registered function
    approval: bool = False  # a worker-run tool whose policy asks a person first


def pending_record_function_calls(
    *, conversation: Conversation, turn: Turn, calls: list[FunctionCall], next_position: int
) -> Turn | None:
    """End a turn on its function calls: a pending action each, answered at once where the worker
    ran the function. All answered: returns the follow-up turn (not enqueued: the caller runs
    it). Else the conversation waits for people. A call already recorded (before a crash) is
    skipped."""
    workspace_id = conversation.graph.workspace_id
    with transaction.atomic():
        waiting = False
        for call in calls:
            if PendingAction.objects.filter(turn=turn, tool_call_id=call.tool_call_id).exists():
                continue
            action = PendingAction.objects.create(
                conversation=conversation,
                turn=turn,
                kind=PendingAction.Kind.APPROVAL
                if call.approval
                else PendingAction.Kind.FUNCTION_CALL,
                name=call.name,
                arguments=call.arguments,
                tool_call_id=call.tool_call_id,
                agent=call.agent,
            )
            items: list[tuple[EventType, dict]] = [(EventType.PENDING_CREATED, action.as_data())]
            if call.automatic_result is not None:
                PendingAction.objects.filter(pk=action.pk).update(
                    status=PendingAction.State.RESOLVED,
                    result=call.automatic_result,
                    decision="automatic",
                    resolved_at=timezone.now(),
                )
                action.refresh_from_db()
                _, result = function_result_add(
                    conversation=conversation,
                    action=action,
                    position=next_position,
                    agent=call.agent,
                    automatic=True,
                )
                next_position += 1
                items += [
                    (EventType.PENDING_RESOLVED, action.as_data()),
                    (EventType.FUNCTION_RESULT, result),
                ]
            else:
                waiting = True
                publish_feed(workspace_id, EventType.PENDING_CREATED, action.as_data())
            append_events(conversation.pk, items)
        Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE, finished_at=timezone.now())
        if waiting:
            conversation_set_status(
                conversation=conversation, expected=(Status.RUNNING,), status=Status.AWAITING_INPUT
            )
            return None
        actions = PendingAction.objects.filter(turn=turn).order_by("created_at")
        inputs = [
            {
                "type": Entry.Type.FUNCTION_RESULT.value,
                "tool_call_id": a.tool_call_id,
                "result": a.result,
            }
            for a in actions
        ]
        return turn_create(conversation=conversation, kind="results", inputs=inputs)


def pending_record_handoff(
    *,
    conversation: Conversation,
    turn: Turn,
    handoff: dict[str, Any],
    agent: Agent | None,
    target: Agent | None,
) -> PendingAction:
    """End a client-mode turn on its handoff: a person decides whether it goes on."""
    with transaction.atomic():
        action = PendingAction.objects.create(
            conversation=conversation,
            turn=turn,
            kind=PendingAction.Kind.HANDOFF,
            name=handoff.get("next_agent_name") or "",
            arguments={
                "from": handoff.get("previous_agent_name"),
                "to": handoff.get("next_agent_name"),
            },
            agent=agent,
            target_agent=target,
        )
        append_events(conversation.pk, [(EventType.PENDING_CREATED, action.as_data())])
        publish_feed(conversation.graph.workspace_id, EventType.PENDING_CREATED, action.as_data())
        Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE, finished_at=timezone.now())
        conversation_set_status(
            conversation=conversation, expected=(Status.RUNNING,), status=Status.AWAITING_INPUT
        )
    return action


def pending_resolve(
    *, actor, action: PendingAction, result: Any = None, decision: Any = None
) -> PendingAction:
    if action.kind == PendingAction.Kind.APPROVAL:
        updates = approval_decide(actor=actor, action=action, decision=decision)
    elif action.kind == PendingAction.Kind.FUNCTION_CALL:
        if not isinstance(result, str):
            raise ConversationError("Give the function's result as a string.", field="result")
        if len(result) > MAX_RESULT_CHARS:
            raise ConversationError(
                f"A result may have at most {MAX_RESULT_CHARS} characters.", field="result"
            )
        updates = {"result": result}
    else:
        if decision not in ("continue", "stop"):
            raise ConversationError("Decide continue or stop.", field="decision")
        updates = {"decision": decision}
    conversation = action.conversation
    with transaction.atomic():
        moved = PendingAction.objects.filter(
            pk=action.pk, status=PendingAction.State.PENDING
        ).update(
            status=PendingAction.State.RESOLVED,
            resolved_by=actor,
            resolved_at=timezone.now(),
            **updates,
        )
        if not moved:
            raise ConversationConflict("This action is no longer pending; someone answered it.")
        action.refresh_from_db()
        items: list[tuple[EventType, dict]] = [(EventType.PENDING_RESOLVED, action.as_data())]
        # An approved tool has no result yet: the follow-up turn's worker runs it.
        if action.kind != PendingAction.Kind.HANDOFF and action.decision != APPROVED:
            _, data = function_result_add(
                conversation=conversation,
                action=action,
                position=entry_next_position(conversation),
                agent=action.agent,
                actor=actor,
            )
            items.append((EventType.FUNCTION_RESULT, data))
        append_events(conversation.pk, items)
        publish_feed(conversation.graph.workspace_id, EventType.PENDING_RESOLVED, action.as_data())
        audit_record(
            actor=actor,
            action=Action.PENDING_RESOLVE,
            obj=action,
            object_type="pending_action",
            workspace=conversation.graph.workspace,
            before={"status": PendingAction.State.PENDING},
            after={
                "status": action.status,
                "conversation": str(conversation.pk),
                "kind": action.kind,
                "name": action.name,
                "tool_call_id": action.tool_call_id,
                "arguments": action.arguments,
                **updates,
                **({"decision": "approve"} if action.decision == APPROVED else {}),
            },
        )
        _continue_if_answered(conversation, action)
    return action


def _continue_if_answered(conversation: Conversation, action: PendingAction) -> None:
    turn_actions = list(PendingAction.objects.filter(turn=action.turn).order_by("created_at"))
    if any(a.status == PendingAction.State.PENDING for a in turn_actions):
        return
    if action.kind == PendingAction.Kind.HANDOFF:
        if action.decision == "stop":
            conversation_set_status(
                conversation=conversation,
                expected=(Status.AWAITING_INPUT,),
                status=Status.COMPLETED,
            )
            return
        inputs = None
        kind = "continue"
    else:
        inputs = [
            {
                "type": Entry.Type.FUNCTION_RESULT.value,
                "tool_call_id": a.tool_call_id,
                # None until the worker has run an approved tool (approvals_to_run).
                "result": None if a.decision == APPROVED else a.result,
            }
            for a in turn_actions
            if a.status == PendingAction.State.RESOLVED
        ]
        kind = "results"
    if conversation_set_status(
        conversation=conversation,
        expected=(Status.AWAITING_INPUT,),
        status=Status.QUEUED,
        cancel_requested=False,
    ):
        turn = turn_create(conversation=conversation, kind=kind, inputs=inputs)
        enqueue_turn(turn.pk)
