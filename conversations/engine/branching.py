"""The worker's side of branches and agent versions: which versions a turn runs with, and how a
branch's first turn restarts its parent's remote conversation from the chosen entry.

Talks to the backend (the parent's history) outside any transaction; writes go through
`conversations.services.branches`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from agents.models import AgentVersion
from conversations.models import Conversation, Entry, Turn
from conversations.projection import OUTPUT_TYPES
from conversations.services.branches import conversation_record_agent_versions
from integrations.mistral import backend
from integrations.mistral.models import RemoteAgent


def record_versions(
    conversation: Conversation, turn: Turn, remotes: dict[Any, RemoteAgent]
) -> None:
    """On a conversation's first turn: the version of each agent it runs with, here and on the
    backend. (A later turn would record versions it did not start with.)"""
    if conversation.agent_versions or turn.kind not in ("start", "branch"):
        return
    numbers = dict(
        AgentVersion.objects.filter(agent_id__in=list(remotes))
        .values("agent_id")
        .annotate(n=Max("number"))
        .values_list("agent_id", "n")
    )
    versions = {
        str(agent_id): {
            "name": remote.agent.name,
            "version": numbers.get(agent_id),
            "remote_version": remote.remote_version,
        }
        for agent_id, remote in remotes.items()
    }
    conversation_record_agent_versions(conversation=conversation, versions=versions)


def _remote_entry_id(parent: Conversation, entry: Entry) -> str:
    """The backend's id of one of the parent's entries. Outputs carry it; our own inputs (user
    messages, function results) are matched in the backend's history: results by their call
    id, messages in order and by content (a failed start's message never reached it)."""
    if entry.type in OUTPUT_TYPES and entry.remote_id:
        return entry.remote_id
    history = backend.conversation_history(parent.remote_id)
    if entry.type == Entry.Type.FUNCTION_RESULT:
        call_id = entry.data.get("tool_call_id")
        for remote in history:
            if (
                remote.get("type") == Entry.Type.FUNCTION_RESULT
                and remote.get("tool_call_id") == call_id
            ):
                return remote["id"]
        raise backend.BackendError("The function result is not in the backend's history.")
    remote_inputs = [
        e for e in history if e.get("type") == Entry.Type.MESSAGE_INPUT and e.get("role") == "user"
    ]
    local_inputs = parent.entries.filter(type=Entry.Type.MESSAGE_INPUT).order_by("position")
    index = 0
    for local in local_inputs:
        if index >= len(remote_inputs):
            break
        if _text(remote_inputs[index].get("content")) != local.text:
            continue  # never sent (its turn failed before the backend saw it)
        if local.pk == entry.pk:
            return remote_inputs[index]["id"]
        index += 1
    raise backend.BackendError("The message is not in the backend's history; it was never sent.")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


def stream_arguments(
    conversation: Conversation, turn: Turn, remotes: dict[Any, RemoteAgent]
) -> dict[str, Any]:
    """Extra arguments of `backend.conversation_stream` for this turn: for a branch's first
    turn, restart the parent's remote conversation from the entry, pinned to the entry agent's
    version (the original's, or the one just synced)."""
    if turn.kind != "branch" or conversation.remote_id or conversation.parent_id is None:
        return {}
    parent = Conversation.objects.get(pk=conversation.parent_id)
    entry = Entry.objects.get(pk=conversation.branched_from_id)
    entry_agent = conversation.entry_agent_id
    version = remotes[entry_agent].remote_version
    if conversation.branch_agent_versions == "original":
        original = (parent.agent_versions or {}).get(str(entry_agent)) or {}
        if original.get("remote_version") is not None:
            version = original["remote_version"]
    return {
        "remote_conversation_id": parent.remote_id,
        "restart_from_entry": _remote_entry_id(parent, entry),
        "agent_version": version,
    }
