"""Branching: a new conversation restarted from an entry of another one.

The branch keeps its parent's entries before the chosen one (copied, and logged as one
`conversation.branched` event so its own log projects to the whole conversation), adds the
edited input, and its first turn asks the backend to restart the parent's remote conversation
from that entry (`conversations.restart`). The worker does the network part
(`conversations.engine.branching`); here only rows are written.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from conversations.errors import ConversationConflict, ConversationError
from conversations.eventlog import append_events, publish_feed
from conversations.events import BranchedEntryData, ConversationBranchedData, EventType
from conversations.models import Conversation, Entry, Status
from conversations.projection import OUTPUT_TYPES
from conversations.queue import enqueue_turn
from conversations.services.common import turn_create
from conversations.services.conversations import add_user_message, clean_inputs
from conversations.services.status import status_data, status_feed_notice
from integrations.mistral.backend import active_backend
from workspaces.selectors import parse_uuid

AGENT_VERSION_CHOICES = ("current", "original")
RUNNING = (Status.QUEUED, Status.RUNNING)


def _entry_of(parent: Conversation, from_entry: Any) -> Entry:
    message = "Choose an entry of this conversation."
    try:
        entry_id = parse_uuid(from_entry)
    except Exception:
        raise ConversationError(message, field="from_entry") from None
    entry = Entry.objects.filter(pk=entry_id, conversation=parent).first()
    if entry is None:
        # Unknown, or another conversation's: the same answer, so ids elsewhere stay unknown.
        raise ConversationError(message, field="from_entry")
    return entry


def _kept(parent: Conversation, entry: Entry) -> list[Entry]:
    return list(
        parent.entries.filter(position__lt=entry.position)
        .select_related("agent")
        .order_by("position")
    )


def _agent_remote_ids(parent: Conversation) -> dict[Any, str]:
    """Local agent id → the remote id it had on the parent's backend (for the projection)."""
    from integrations.mistral.models import RemoteAgent

    remotes = RemoteAgent.objects.filter(agent__graph_id=parent.graph_id)
    return {r.agent_id: r.remote_id for r in remotes}


def _active_agent_at(parent: Conversation, kept: list[Entry]):
    """The agent the conversation was with just before the entry: after the last handoff."""
    active = parent.entry_agent
    for entry in kept:
        if entry.type == Entry.Type.AGENT_HANDOFF and entry.data.get("next_agent"):
            from agents.models import Agent

            active = Agent.objects.filter(pk=entry.data["next_agent"]).first() or active
    return active


def _clean(parent: Conversation, entry: Entry, inputs: Any, agent_versions: Any) -> str | None:
    if agent_versions not in AGENT_VERSION_CHOICES:
        raise ConversationError("Choose current or original.", field="agent_versions")
    if agent_versions == "original" and not parent.agent_versions:
        raise ConversationError(
            "The versions this conversation ran with are not known (it ran before they were "
            "recorded); branch with the current versions.",
            field="agent_versions",
        )
    if inputs is None or inputs == "":
        # Keep the input: a user message is sent again as it was; from any other entry the
        # backend just answers again from the history before it.
        return entry.text if entry.type == Entry.Type.MESSAGE_INPUT else None
    return clean_inputs(inputs)


def conversation_branch(
    *,
    actor,
    parent: Conversation,
    from_entry: Any,
    inputs: Any = None,
    agent_versions: Any = "current",
) -> Conversation:
    """A new conversation from `parent`'s history before `from_entry`, then `inputs`."""
    entry = _entry_of(parent, from_entry)
    text = _clean(parent, entry, inputs, agent_versions)
    if parent.status in RUNNING:
        raise ConversationConflict(
            "The conversation is running; branch from it once it has finished or been cancelled."
        )
    if not parent.remote_id:
        raise ConversationError(
            "This conversation never reached the backend, so there is no history to branch from.",
            field="from_entry",
        )
    kept = _kept(parent, entry)
    remote_ids = _agent_remote_ids(parent)
    with transaction.atomic():
        branch = Conversation.objects.create(
            graph=parent.graph,
            entry_agent=parent.entry_agent,
            active_agent=_active_agent_at(parent, kept),
            handoff_execution=parent.handoff_execution,
            backend=active_backend(),
            metadata=parent.metadata,
            title=(text or parent.title)[:200],
            started_by=actor,
            parent=parent,
            branched_from=entry,
            branch_agent_versions=agent_versions,
            agent_versions=parent.agent_versions if agent_versions == "original" else {},
        )
        copies = Entry.objects.bulk_create(
            Entry(
                conversation=branch,
                turn=None,
                position=index,
                type=old.type,
                remote_id=old.remote_id,
                agent=old.agent,
                role=old.role,
                text=old.text,
                data=old.data,
                created_by=old.created_by,
            )
            for index, old in enumerate(kept)
        )
        kept_data: list[BranchedEntryData] = [
            {
                # As the projection keys them: outputs by the backend's id, inputs by ours.
                "key": copy.remote_id
                if copy.type in OUTPUT_TYPES and copy.remote_id
                else str(copy.pk),
                "type": copy.type,
                "agent_remote_id": remote_ids.get(copy.agent_id)
                if copy.type != Entry.Type.MESSAGE_INPUT
                else None,
                "agent_name": copy.agent.name if copy.agent else None,
                "role": copy.role,
                "text": copy.text,
                "data": copy.data,
            }
            for copy in copies
        ]
        branched: ConversationBranchedData = {
            "parent": str(parent.pk),
            "from_entry": str(entry.pk),
            "agent_versions": agent_versions,
            "entries": kept_data,
        }
        append_events(
            branch.pk,
            [
                (EventType.CONVERSATION_STATUS, status_data(Status.QUEUED)),
                (EventType.CONVERSATION_BRANCHED, branched),
            ],
        )
        message = {"type": Entry.Type.MESSAGE_INPUT.value, "role": "user", "content": text}
        turn = turn_create(conversation=branch, kind="branch", inputs=[message] if text else None)
        if text:
            add_user_message(branch, turn, text, actor)
        publish_feed(
            parent.graph.workspace_id,
            EventType.CONVERSATION_STATUS,
            status_feed_notice(branch, Status.QUEUED),
        )
        audit_record(
            actor=actor,
            action=Action.CONVERSATION_BRANCH,
            obj=branch,
            workspace=parent.graph.workspace,
            after={
                "parent": str(parent.pk),
                "from_entry": str(entry.pk),
                "from_position": entry.position,
                "inputs": text,
                "agent_versions": agent_versions,
            },
        )
        enqueue_turn(turn.pk)
    return branch


def conversation_record_agent_versions(
    *, conversation: Conversation, versions: dict[str, dict[str, Any]]
) -> None:
    """Keep the agents' versions a conversation first ran with (a branch with "original"
    versions runs those again). Only the first record counts."""
    Conversation.objects.filter(pk=conversation.pk, agent_versions={}).update(
        agent_versions=versions
    )
    if not conversation.agent_versions:
        conversation.agent_versions = versions
