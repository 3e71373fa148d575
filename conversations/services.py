"""Every write on conversations: start, follow-up, cancel, resolve, and status changes.

Status changes are compare-and-set (`filter(status__in=expected).update(...)`), each recorded as a
`conversation.status` event and a feed notice in the same transaction. Turns are enqueued on commit.
The human actions here (start, follow-up, cancel, resolve, sync, download) each write one audit row
in their transaction; the worker's status changes are in the event log, not the audit trail.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agents.models import Agent
from agentstudio.backend import active_backend
from audit.models import Action, Outcome
from audit.services import audit_record
from conversations.errors import ConversationConflict, ConversationError
from conversations.events import append_events, publish_feed
from conversations.models import (
    FINAL_STATUSES,
    Conversation,
    Entry,
    GeneratedFile,
    HandoffExecution,
    PendingAction,
    Status,
    Turn,
)

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from conversations.sync import SyncResult

MAX_INPUT_CHARS = 100_000
MAX_RESULT_CHARS = 200_000


def _enqueue_turn(turn_id: UUID) -> None:
    transaction.on_commit(lambda: turn_send(turn_id))


def turn_send(turn_id: UUID | str, *, resend: bool = False) -> bool:
    """Hand a queued turn to the broker; never raises. Its rows are committed by now, so a broker
    outage must not become a 500 that a retry would duplicate: the turn is marked instead, and
    the periodic recovery sends it again (`resend`, which clears the mark) once the broker is back.
    """
    from conversations.tasks import run_turn

    try:
        run_turn.delay(str(turn_id))
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


def status_data(status: str, error: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {"status": status}
    if error:
        data["error"] = error
    return data


def conversation_set_status(
    *,
    conversation: Conversation,
    expected: tuple[str, ...] | list[str],
    status: str,
    error: str = "",
    **fields: Any,
) -> bool:
    """Compare-and-set the status; on success append the status event. Returns whether it moved."""
    with transaction.atomic():
        now = timezone.now()
        updates: dict[str, Any] = {"status": status, "updated_at": now, **fields}
        if status in FINAL_STATUSES or status == Status.AWAITING_INPUT:
            updates["finished_at"] = now
        if status == Status.FAILED or error:
            updates["error"] = error
        elif status in (Status.QUEUED, Status.RUNNING):
            updates["error"] = ""
        moved = Conversation.objects.filter(pk=conversation.pk, status__in=expected).update(
            **updates
        )
        if not moved:
            return False
        for key, value in updates.items():
            setattr(conversation, key, value)
        append_events(conversation.pk, [("conversation.status", status_data(status, error))])
        publish_feed(
            conversation.graph.workspace_id,
            "conversation.status",
            {
                "conversation": str(conversation.pk),
                "graph": str(conversation.graph_id),
                "status": status,
                "active_agent": str(conversation.active_agent_id or ""),
                "error": error,
            },
        )
        return True


def _clean_inputs(inputs: Any) -> str:
    if isinstance(inputs, list) and len(inputs) == 1 and isinstance(inputs[0], dict):
        inputs = inputs[0].get("content")  # a single message.input entry
    if not isinstance(inputs, str) or not inputs.strip():
        raise ConversationError("Write a non-empty message.", field="inputs")
    if len(inputs) > MAX_INPUT_CHARS:
        raise ConversationError(
            f"A message may have at most {MAX_INPUT_CHARS} characters.", field="inputs"
        )
    return inputs


def _next_position(conversation: Conversation) -> int:
    last = conversation.entries.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _add_user_message(conversation: Conversation, turn: Turn, text: str, actor) -> Entry:
    entry = Entry.objects.create(
        conversation=conversation,
        turn=turn,
        position=_next_position(conversation),
        type=Entry.Type.MESSAGE_INPUT,
        role="user",
        text=text,
        data={"content": text},
        created_by=actor,
    )
    append_events(
        conversation.pk,
        [
            (
                "message.input",
                {
                    "entry": str(entry.pk),
                    "role": "user",
                    "content": text,
                    "user": getattr(actor, "username", None),
                },
            )
        ],
    )
    return entry


def _new_turn(conversation: Conversation, kind: str, inputs: list[dict] | None) -> Turn:
    number = (conversation.turns.aggregate(n=Max("number"))["n"] or 0) + 1
    return Turn.objects.create(conversation=conversation, number=number, kind=kind, inputs=inputs)


def conversation_start(
    *,
    actor,
    agent: Agent,
    inputs: Any,
    handoff_execution: str = HandoffExecution.SERVER,
    metadata: dict[str, Any] | None = None,
) -> Conversation:
    text = _clean_inputs(inputs)
    if handoff_execution not in HandoffExecution.values:
        raise ConversationError("Choose server or client.", field="handoff_execution")
    if metadata is not None and (
        not isinstance(metadata, dict) or len(json.dumps(metadata)) > 10_000
    ):
        raise ConversationError("Metadata must be a JSON object under 10 kB.", field="metadata")
    with transaction.atomic():
        conversation = Conversation.objects.create(
            graph=agent.graph,
            entry_agent=agent,
            active_agent=agent,
            handoff_execution=handoff_execution,
            backend=active_backend(),
            metadata=metadata or {},
            title=text[:200],
            started_by=actor,
        )
        turn = _new_turn(
            conversation, "start", [{"type": "message.input", "role": "user", "content": text}]
        )
        append_events(conversation.pk, [("conversation.status", {"status": Status.QUEUED})])
        _add_user_message(conversation, turn, text, actor)
        publish_feed(
            agent.graph.workspace_id,
            "conversation.status",
            {
                "conversation": str(conversation.pk),
                "graph": str(agent.graph_id),
                "status": Status.QUEUED,
                "active_agent": str(agent.pk),
                "error": "",
            },
        )
        audit_record(
            actor=actor,
            action=Action.CONVERSATION_START,
            obj=conversation,
            workspace=agent.graph.workspace,
            after={
                "graph": str(agent.graph_id),
                "graph_name": agent.graph.name,
                "agent": str(agent.pk),
                "agent_name": agent.name,
                "inputs": text,
                "handoff_execution": handoff_execution,
                "backend": conversation.backend,
            },
        )
        _enqueue_turn(turn.pk)
    return conversation


def conversation_send_message(
    *, actor, conversation: Conversation, inputs: Any, agent: Agent | None = None
) -> Conversation:
    text = _clean_inputs(inputs)
    if agent is not None and agent.pk != conversation.active_agent_id:
        raise ConversationError(
            "A conversation continues with its active agent; start a new conversation to talk "
            "to another agent.",
            field="agent",
        )
    with transaction.atomic():
        moved = conversation_set_status(
            conversation=conversation,
            expected=FINAL_STATUSES,
            status=Status.QUEUED,
            cancel_requested=False,
        )
        if not moved:
            conversation.refresh_from_db(fields=["status"])
            if conversation.status == Status.AWAITING_INPUT:
                raise ConversationConflict(
                    "The conversation is waiting for answers to its pending actions; answer "
                    "them in the inbox first."
                )
            raise ConversationConflict(
                "The conversation is still running; wait for it to finish or cancel it."
            )
        turn = _new_turn(
            conversation, "message", [{"type": "message.input", "role": "user", "content": text}]
        )
        _add_user_message(conversation, turn, text, actor)
        audit_record(
            actor=actor,
            action=Action.CONVERSATION_MESSAGE,
            obj=conversation,
            workspace=conversation.graph.workspace,
            after={"turn": turn.number, "inputs": text},
        )
        _enqueue_turn(turn.pk)
    return conversation


def _cancel_pending(conversation: Conversation) -> None:
    for action in conversation.pending_actions.filter(status=PendingAction.State.PENDING):
        moved = PendingAction.objects.filter(
            pk=action.pk, status=PendingAction.State.PENDING
        ).update(status=PendingAction.State.CANCELLED, resolved_at=timezone.now())
        if moved:
            action.status = PendingAction.State.CANCELLED
            append_events(conversation.pk, [("pending.resolved", action.as_data())])
            publish_feed(conversation.graph.workspace_id, "pending.resolved", action.as_data())


def _record_cancel(actor, conversation: Conversation, before: str, after: dict) -> None:
    audit_record(
        actor=actor,
        action=Action.CONVERSATION_CANCEL,
        obj=conversation,
        workspace=conversation.graph.workspace,
        before={"status": before},
        after=after,
    )


def conversation_cancel(*, actor, conversation: Conversation) -> Conversation:
    with transaction.atomic():
        before = conversation.status
        # Queued or waiting: nothing runs, so cancel now. Running: the worker stops at its next
        # event when it sees the flag, and records the cancellation itself.
        if conversation_set_status(
            conversation=conversation,
            expected=(Status.QUEUED, Status.AWAITING_INPUT),
            status=Status.CANCELLED,
            cancel_requested=True,
        ):
            Turn.objects.filter(conversation=conversation, state__in=[Turn.State.QUEUED]).update(
                state=Turn.State.CANCELLED, finished_at=timezone.now()
            )
            _cancel_pending(conversation)
            _record_cancel(actor, conversation, before, {"status": Status.CANCELLED})
            return conversation
        if Conversation.objects.filter(pk=conversation.pk, status=Status.RUNNING).update(
            cancel_requested=True
        ):
            conversation.cancel_requested = True
            _record_cancel(
                actor,
                conversation,
                Status.RUNNING,
                {"status": Status.RUNNING, "cancel_requested": True},
            )
            return conversation
    raise ConversationConflict("The conversation has already finished.")


def pending_resolve(
    *, actor, action: PendingAction, result: Any = None, decision: Any = None
) -> PendingAction:
    if action.kind == PendingAction.Kind.FUNCTION_CALL:
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
        items: list[tuple[str, dict]] = [("pending.resolved", action.as_data())]
        if action.kind == PendingAction.Kind.FUNCTION_CALL:
            entry = Entry.objects.create(
                conversation=conversation,
                turn=action.turn,
                position=_next_position(conversation),
                type=Entry.Type.FUNCTION_RESULT,
                agent=action.agent,
                data={"tool_call_id": action.tool_call_id, "result": result, "name": action.name},
                created_by=actor,
            )
            items.append(
                (
                    "function.result",
                    {
                        "entry": str(entry.pk),
                        "tool_call_id": action.tool_call_id,
                        "name": action.name,
                        "result": result,
                        "user": getattr(actor, "username", None),
                    },
                )
            )
        append_events(conversation.pk, items)
        publish_feed(conversation.graph.workspace_id, "pending.resolved", action.as_data())
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
            {"type": "function.result", "tool_call_id": a.tool_call_id, "result": a.result}
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
        turn = _new_turn(conversation, kind, inputs)
        _enqueue_turn(turn.pk)


def graph_sync_requested(*, actor, graph) -> SyncResult:
    """A person's "sync to the backend" (the API's POST /graphs/{id}/sync/). It also repairs
    agents changed on the backend behind our back. The sync talks to the network, so it runs
    outside any transaction and the audit rows follow it: a success row with what the backend now
    holds and one row per repaired agent, or a row marked failed with the backend's error. (The
    worker's own sync before each turn is not a human action and is not audited.)"""
    from conversations import backend
    from conversations.sync import graph_resync

    try:
        result = graph_resync(graph)
    except backend.BackendError as exc:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=Action.GRAPH_SYNC,
                outcome=Outcome.FAILURE,
                obj=graph,
                workspace=graph.workspace,
                after={"backend": backend.backend_key()},
                error=str(exc)[:2000],
            )
        raise
    repaired = [drift.as_dict() for drift in result.repaired]
    agents = Agent.objects.in_bulk([drift.agent_id for drift in result.repaired])
    with transaction.atomic():
        for drift, details in zip(result.repaired, repaired, strict=True):
            audit_record(
                actor=actor,
                action=Action.AGENT_DRIFT_REPAIRED,
                obj=agents[drift.agent_id],
                workspace=graph.workspace,
                after={"backend": backend.backend_key(), **details},
            )
        audit_record(
            actor=actor,
            action=Action.GRAPH_SYNC,
            obj=graph,
            workspace=graph.workspace,
            after={
                "backend": backend.backend_key(),
                "agents": [
                    {"agent": str(agent_id), "remote_id": r.remote_id, "version": r.remote_version}
                    for agent_id, r in result.remotes.items()
                ],
                "drift_repaired": repaired,
            },
        )
    return result


def file_download(*, actor, generated: GeneratedFile, inline: bool = False):
    """Open a generated file for a person who may read it, recording that they did."""
    handle = generated.file.open("rb")
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=Action.FILE_DOWNLOAD,
                obj=generated,
                object_type="file",
                workspace=generated.conversation.graph.workspace,
                after={
                    "name": generated.name,
                    "type": generated.type,
                    "size": generated.size,
                    "conversation": str(generated.conversation_id),
                    "inline": inline,
                },
            )
    except BaseException:
        handle.close()
        raise
    return handle
