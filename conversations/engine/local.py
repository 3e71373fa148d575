"""The local runtime: the worker runs the graph's handoff loop itself on chat completions.

The active agent is a system prompt (its instructions) and a tool list (its function tools, plus
one `transfer_to_<agent>` function per outgoing handoff edge). A transfer switches the agent and
keeps the history; a function call ends the turn as on the Conversations API (the follow-ups
answer it or put it in the inbox, and the next turn goes on from its result); an answer ends the
run. A run (everything one user message sets off) may make at most `max_turns` model calls.

It records the same events the Conversations API streams (`conversation.response.started`,
`message.output.delta`, `agent.handoff.started|done`, `function.call.delta`,
`conversation.response.done` with usage), with the local agent ids standing in for remote ones,
so the recorder, the projection, the live page, the inbox and the audit trail work unchanged.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from agents.mcp_tools import offered_tools
from agents.models import Agent, HandoffEdge
from conversations.engine.recorder import TurnRecorder
from conversations.engine.stream import stream_into
from conversations.events import EventType
from conversations.models import Conversation, Entry, HandoffExecution, Turn
from integrations.mistral import chat
from integrations.mistral.backend import StreamEvent

TRANSFER_PREFIX = "transfer_to_"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def transfer_tool_name(agent_name: str) -> str:
    return (TRANSFER_PREFIX + _UNSAFE.sub("_", agent_name).replace("-", "_"))[:64]


def call_id(seed: str) -> str:
    """A stable 9-character id (the form Mistral's tokenizer expects) for a transfer's call."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:9])


@dataclass
class LocalAgent:
    agent: Agent
    targets: list[Agent]
    offered: list[dict[str, Any]] = field(default_factory=list)  # own tools + MCP servers'

    @property
    def key(self) -> str:
        return str(self.agent.pk)

    def system(self) -> list[dict[str, Any]]:
        text = self.agent.instructions.strip()
        return [{"role": "system", "content": text}] if text else []

    def transfers(self) -> dict[str, Agent]:
        return {transfer_tool_name(t.name): t for t in self.targets}

    def tools(self) -> list[dict[str, Any]]:
        functions = [
            {"type": "function", "function": dict(t["function"])}
            for t in self.offered
            if isinstance(t, dict) and t.get("type") == "function" and t.get("function")
        ]
        for name, target in self.transfers().items():
            functions.append({
                "type": "function",
                "function": {
                    "name": name,
                    "description": target.description or f"Hand the conversation to {target.name}.",
                    "parameters": {"type": "object", "properties": {}},
                },
            })  # fmt: skip
        return functions


@dataclass
class LocalRun:
    """What a local turn needs, read from the database before the loop starts (the loop runs
    in the stream reader's thread and touches only the network)."""

    conversation: Conversation
    agents: dict[str, LocalAgent]
    active: str
    messages: list[dict[str, Any]]
    steps_taken: int
    max_turns: int
    client_handoffs: bool
    stopped_at_max_turns: bool = False
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    )


def _graph_agents(conversation: Conversation) -> dict[str, LocalAgent]:
    agents = {a.pk: a for a in Agent.objects.filter(graph_id=conversation.graph_id)}
    targets: dict[uuid.UUID, list[Agent]] = {pk: [] for pk in agents}
    for edge in HandoffEdge.objects.filter(source__graph_id=conversation.graph_id).order_by(
        "source", "target__name"
    ):
        targets[edge.source_id].append(agents[edge.target_id])
    return {
        str(pk): LocalAgent(agent, targets[pk], offered_tools(agent))
        for pk, agent in agents.items()
    }


def history_messages(entries: list[Entry]) -> list[dict[str, Any]]:
    """The conversation so far as chat messages (reference/mistral-api.md §8's mapping): the
    handoffs become transfer calls, answered function calls their tool messages."""
    answered = {e.data.get("tool_call_id") for e in entries if e.type == Entry.Type.FUNCTION_RESULT}
    asked = {e.data.get("tool_call_id") for e in entries if e.type == Entry.Type.FUNCTION_CALL}
    messages: list[dict[str, Any]] = []
    for entry in entries:
        data = entry.data or {}
        if entry.type == Entry.Type.MESSAGE_INPUT:
            messages.append({"role": "user", "content": entry.text or data.get("content") or ""})
        elif entry.type == Entry.Type.MESSAGE_OUTPUT and entry.text:
            messages.append({"role": "assistant", "content": entry.text})
        elif entry.type == Entry.Type.FUNCTION_CALL and data.get("tool_call_id") in answered:
            call = {
                "id": data["tool_call_id"],
                "type": "function",
                "function": {"name": data.get("name") or "", "arguments": data.get("arguments")
                             or "{}"},
            }  # fmt: skip
            last = messages[-1] if messages else None
            if last and last["role"] == "assistant" and last.get("tool_calls"):
                last["tool_calls"].append(call)  # parallel calls of one model call
            else:
                messages.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif entry.type == Entry.Type.FUNCTION_RESULT and data.get("tool_call_id") in asked:
            messages.append({
                "role": "tool",
                "tool_call_id": data.get("tool_call_id") or "",
                "name": data.get("name") or "",
                "content": str(data.get("result") or ""),
            })  # fmt: skip
        elif entry.type == Entry.Type.AGENT_HANDOFF:
            messages += _transfer_messages(entry.remote_id, data.get("next_agent_name") or "")
    return messages


def _transfer_messages(key: str, target_name: str) -> list[dict[str, Any]]:
    name, ident = transfer_tool_name(target_name), call_id(key)
    call = {"id": ident, "type": "function", "function": {"name": name, "arguments": "{}"}}
    return [
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": ident, "name": name,
         "content": f"Transferred to {target_name}. You are now {target_name}."},
    ]  # fmt: skip


def _steps_since_user(entries: list[Entry]) -> int:
    """Model calls already made for the latest user message: one per handoff, per turn that
    ended in function calls (a call's parallel calls share one turn) and per answer; text the
    model wrote before a transfer or a call came from that same model call."""
    last_input = max((i for i, e in enumerate(entries) if e.type == Entry.Type.MESSAGE_INPUT),
                     default=-1)  # fmt: skip
    run = entries[last_input + 1 :]
    steps = sum(1 for e in run if e.type == Entry.Type.AGENT_HANDOFF)
    steps += len({e.turn_id for e in run if e.type == Entry.Type.FUNCTION_CALL})
    for index, entry in enumerate(run):
        if entry.type != Entry.Type.MESSAGE_OUTPUT:
            continue
        following = run[index + 1] if index + 1 < len(run) else None
        same_call = (
            following is not None
            and following.turn_id == entry.turn_id
            and (following.type in (Entry.Type.AGENT_HANDOFF, Entry.Type.FUNCTION_CALL))
        )
        steps += 0 if same_call else 1
    return steps


def prepare(conversation: Conversation) -> LocalRun:
    agents = _graph_agents(conversation)
    active = str(conversation.active_agent_id or conversation.entry_agent_id)
    entries = list(conversation.entries.order_by("position"))
    graph_max = conversation.graph.max_turns
    return LocalRun(
        conversation=conversation,
        agents=agents,
        active=active,
        messages=history_messages(entries),
        steps_taken=_steps_since_user(entries),
        max_turns=graph_max or settings.LOCAL_MAX_TURNS,
        client_handoffs=conversation.handoff_execution == HandoffExecution.CLIENT,
    )


def _event(kind: EventType, **data: Any) -> StreamEvent:
    return StreamEvent(type=kind.value, data={"type": kind.value, **data})


def local_events(run: LocalRun) -> Iterator[StreamEvent]:
    """The turn's events, model call after model call, until an answer, a function call, a
    client-mode handoff or max_turns."""
    yield _event(EventType.RESPONSE_STARTED, conversation_id=f"local-{run.conversation.pk}")
    index = 0
    while True:
        if run.steps_taken >= run.max_turns:
            run.stopped_at_max_turns = True
            break
        current = run.agents[run.active]
        agent = current.agent
        run.steps_taken += 1
        message_id = f"msg_local_{uuid.uuid4().hex}"
        text, calls = "", []
        for delta in chat.chat_stream(
            model=agent.model,
            messages=current.system() + run.messages,
            tools=current.tools(),
            completion_args=agent.completion_args or {},
        ):
            if delta.content:
                text += delta.content
                yield _event(EventType.MESSAGE_OUTPUT_DELTA, id=message_id, content=delta.content,
                             output_index=index, role="assistant", model=agent.model,
                             agent_id=current.key)  # fmt: skip
            if delta.usage:
                for name in run.usage:
                    run.usage[name] += int(delta.usage.get(name) or 0)
            calls += delta.tool_calls
        if text:
            index += 1
            run.messages.append({"role": "assistant", "content": text})
        transfers = current.transfers()
        transfer = next((c for c in calls if c["function"]["name"] in transfers), None)
        if transfer is not None:
            target = transfers[transfer["function"]["name"]]
            handoff_id = f"handoff_{uuid.uuid4().hex}"
            yield _event(EventType.AGENT_HANDOFF_STARTED, id=handoff_id, output_index=index,
                         previous_agent_id=current.key, previous_agent_name=agent.name)  # fmt: skip
            yield _event(EventType.AGENT_HANDOFF_DONE, id=handoff_id, output_index=index,
                         next_agent_id=str(target.pk), next_agent_name=target.name)  # fmt: skip
            index += 1
            run.messages += _transfer_messages(handoff_id, target.name)
            run.active = str(target.pk)
            if run.client_handoffs:
                break
            continue
        if calls:
            for call in calls:
                yield _event(EventType.FUNCTION_CALL_DELTA, id=f"fc_local_{uuid.uuid4().hex}",
                             output_index=index, name=call["function"]["name"],
                             tool_call_id=call["id"] or call_id(uuid.uuid4().hex),
                             arguments=call["function"]["arguments"] or "{}",
                             model=agent.model, agent_id=current.key)  # fmt: skip
                index += 1
        break
    yield _event(EventType.RESPONSE_DONE, usage=dict(run.usage))


def run_local_turn(conversation: Conversation, turn: Turn) -> tuple[TurnRecorder, LocalRun]:
    run = prepare(conversation)
    agents_by_key = {key: local.agent for key, local in run.agents.items()}
    recorder = TurnRecorder(conversation, turn, agents_by_key)
    stream_into(recorder, local_events(run))
    return recorder, run
