"""Starting, continuing and cancelling conversations, and the rows every turn begins with.

The human actions here (start, follow-up, cancel) each write one audit row in their
transaction; the worker's status changes are in the event log, not the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from agents.models import Agent
from audit.models import Action
from audit.services import audit_record
from conversations.errors import ConversationConflict, ConversationError
from conversations.eventlog import append_events, publish_feed
from conversations.events import EventType, MessageInputData
from conversations.models import (
    FINAL_STATUSES,
    Conversation,
    Entry,
    HandoffExecution,
    Status,
    Turn,
)
from conversations.queue import enqueue_turn
from conversations.services.common import entry_next_position, pending_cancel_all, turn_create
from conversations.services.runtime import runtime_check
from conversations.services.status import (
    conversation_set_status,
    status_data,
    status_feed_notice,
)
from integrations.mistral.backend import active_backend

MAX_INPUT_CHARS = 100_000


def clean_inputs(inputs: Any) -> str:
    if isinstance(inputs, list) and len(inputs) == 1 and isinstance(inputs[0], dict):
        inputs = inputs[0].get("content")  # a single message.input entry
    if not isinstance(inputs, str) or not inputs.strip():
        raise ConversationError("Write a non-empty message.", field="inputs")
    if len(inputs) > MAX_INPUT_CHARS:
        raise ConversationError(
            f"A message may have at most {MAX_INPUT_CHARS} characters.", field="inputs"
        )
    return inputs


def add_user_message(
    conversation: Conversation,
    turn: Turn,
    text: str,
    actor,
    *,
    position: int | None = None,
    preceding: Sequence[tuple[EventType, dict[str, Any]]] = (),
) -> Entry:
    """The person's message entry and its event. A caller that knows the position (a new
    conversation's first entry is 0) saves asking; `preceding` events go in the same write."""
    entry = Entry.objects.create(
        conversation=conversation,
        turn=turn,
        position=entry_next_position(conversation) if position is None else position,
        type=Entry.Type.MESSAGE_INPUT,
        role="user",
        text=text,
        data={"content": text},
        created_by=actor,
    )
    data: MessageInputData = {
        "entry": str(entry.pk),
        "role": "user",
        "content": text,
        "user": getattr(actor, "username", None),
    }
    append_events(conversation.pk, [*preceding, (EventType.MESSAGE_INPUT, data)])
    return entry


def conversation_start(
    *,
    actor,
    agent: Agent,
    inputs: Any,
    handoff_execution: str = HandoffExecution.SERVER,
    metadata: dict[str, Any] | None = None,
    runtime: str | None = None,
) -> Conversation:
    text = clean_inputs(inputs)
    runtime = runtime_check(agent.graph, runtime)
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
            runtime=runtime,
            backend=active_backend(),
            metadata=metadata or {},
            title=text[:200],
            started_by=actor,
        )
        # A new conversation: its first turn and entry, and its log's first two events at once.
        turn = turn_create(
            conversation=conversation,
            kind="start",
            inputs=[{"type": Entry.Type.MESSAGE_INPUT.value, "role": "user", "content": text}],
            number=1,
        )
        queued = (EventType.CONVERSATION_STATUS, status_data(Status.QUEUED))
        add_user_message(conversation, turn, text, actor, position=0, preceding=[queued])
        publish_feed(
            agent.graph.workspace_id,
            EventType.CONVERSATION_STATUS,
            status_feed_notice(conversation, Status.QUEUED),
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
                "runtime": runtime,
                "backend": conversation.backend,
            },
        )
        enqueue_turn(turn.pk)
    return conversation


def conversation_send_message(
    *, actor, conversation: Conversation, inputs: Any, agent: Agent | None = None
) -> Conversation:
    text = clean_inputs(inputs)
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
            if conversation.status == Status.PAUSED:
                raise ConversationConflict(
                    "The conversation is paused at its budget; an admin can raise the budget "
                    "to resume it."
                )
            if conversation.status == Status.AWAITING_INPUT:
                raise ConversationConflict(
                    "The conversation is waiting for answers to its pending actions; answer "
                    "them in the inbox first."
                )
            raise ConversationConflict(
                "The conversation is still running; wait for it to finish or cancel it."
            )
        turn = turn_create(
            conversation=conversation,
            kind="message",
            inputs=[{"type": Entry.Type.MESSAGE_INPUT.value, "role": "user", "content": text}],
        )
        add_user_message(conversation, turn, text, actor)
        audit_record(
            actor=actor,
            action=Action.CONVERSATION_MESSAGE,
            obj=conversation,
            workspace=conversation.graph.workspace,
            after={"turn": turn.number, "inputs": text},
        )
        enqueue_turn(turn.pk)
    return conversation


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
            expected=(Status.QUEUED, Status.AWAITING_INPUT, Status.PAUSED),
            status=Status.CANCELLED,
            cancel_requested=True,
        ):
            held = [Turn.State.QUEUED, Turn.State.PAUSED]
            Turn.objects.filter(conversation=conversation, state__in=held).update(
                state=Turn.State.CANCELLED, finished_at=timezone.now()
            )
            pending_cancel_all(conversation=conversation)
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
