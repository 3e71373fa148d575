"""Choosing a conversation's runtime: `conversations` (Mistral runs the handoffs) or `local`
(the worker runs them on chat completions), and what a local run may not contain."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agents.models import Graph, Runtime
from agents.validation.graph import SERVER_TOOL_TYPES
from conversations.errors import ConversationError
from conversations.models import Conversation, Status, Turn
from conversations.services.status import conversation_set_status


def runtime_check(graph: Graph, runtime: str | None) -> str:
    """The runtime a new conversation on `graph` runs on (the graph's unless one is chosen), or
    a ConversationError naming `runtime` when it is unknown or the graph cannot run on it."""
    chosen = runtime or graph.runtime or Runtime.CONVERSATIONS
    if chosen not in Runtime.values:
        raise ConversationError(f"Choose one of: {', '.join(Runtime.values)}.", field="runtime")
    if chosen == Runtime.LOCAL:
        for agent in graph.agents.all():
            kinds = sorted(
                {str(t.get("type")) for t in agent.tools or [] if isinstance(t, dict)}
                & SERVER_TOOL_TYPES
            )
            if kinds:
                raise ConversationError(
                    f"{agent.name} uses {', '.join(kinds)}, which the local runtime (chat "
                    "completions) cannot run; remove it or use the conversations runtime.",
                    field="runtime",
                )
    return chosen


def max_turns_message(max_turns: int) -> str:
    return (
        f"Stopped: the run reached max_turns ({max_turns} model calls for one message) before "
        "a final answer. Send a message to go on, or raise the graph's max_turns."
    )


def turn_stop_at_max_turns(*, conversation: Conversation, turn: Turn, max_turns: int) -> None:
    """A local run used its model calls: the turn is done and the conversation completed, with
    the reason as its error, so the pages say why there is no answer. Outputs stay."""
    with transaction.atomic():
        Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE, finished_at=timezone.now())
        conversation_set_status(
            conversation=conversation,
            expected=(Status.RUNNING,),
            status=Status.COMPLETED,
            error=max_turns_message(max_turns),
        )
