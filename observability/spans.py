"""A conversation's event log as OpenTelemetry GenAI spans: a pure function of the rows.

One trace per conversation. Each agent segment (the run of events while one agent holds the
conversation) is an `invoke_agent <agent>` span; a handoff is an `execute_tool transfer_to_<x>`
span under the agent that hands off, with `gen_ai.transfer.mode = pass_control`, and the next
agent's segment is the transfer's child (it takes over: the caller's span ends at the handoff).
Tool executions and function calls are `execute_tool` spans under their agent; a function call's
wait for a person is its own `wait_for_person` span under the call; each backend response is a
`chat <model>` span with its token usage, under the agent that held the conversation when the
response ended.

Ids are hashes of the conversation id and a key taken from the log (a seq, or the backend's
id for the item), so building the spans again from the same log gives the same ids. Only spans
that have ended are returned, each with the seq that ended it: a span never changes once that
seq is in the log, which is what lets the exporter send "everything that ended after seq N".
Message content is never put on a span (it is user data).
"""

from __future__ import annotations

from typing import Any

from observability.records import (
    ENDING_STATUSES,
    PROVIDER,
    TOOL_TYPES,
    AgentMeta,
    ConversationMeta,
    SpanRecord,
    error_kind,
    event_time,
    span_id_for,
    trace_id_for,
    turn_durations,
)

__all__ = [
    "PROVIDER",
    "ENDING_STATUSES",
    "TOOL_TYPES",
    "AgentMeta",
    "ConversationMeta",
    "SpanRecord",
    "trace_id_for",
    "span_id_for",
    "error_kind",
    "event_time",
    "turn_durations",
    "build_spans",
]


class _Builder:
    def __init__(self, meta: ConversationMeta):
        self.meta = meta
        self.trace_id = trace_id_for(meta.id)
        self.done: list[SpanRecord] = []
        self.segment: SpanRecord | None = None
        self.agent_name = meta.entry_agent
        self.next_parent: int | None = None  # where the next segment hangs (a transfer)
        self.open: dict[str, SpanRecord] = {}  # tools, calls, waits, chats, transfers by key
        self.calls: dict[str, str] = {}  # tool_call_id -> key of its open call span
        self.chat: SpanRecord | None = None
        self.remote_conversation = ""
        self.seq, self.now = 0, None

    def span(self, key: str, name: str, kind: str, parent: SpanRecord | None, **attrs: Any):
        record = SpanRecord(
            key=key,
            name=name,
            kind=kind,
            trace_id=self.trace_id,
            span_id=span_id_for(self.meta.id, key),
            parent_id=parent.span_id if parent else None,
            start=self.now,
            start_seq=self.seq,
            attributes={
                "gen_ai.provider.name": PROVIDER,
                "gen_ai.conversation.id": self.meta.id,
                **{k: v for k, v in attrs.items() if v not in (None, "")},
            },
        )
        return record

    def close(self, record: SpanRecord) -> None:
        record.end, record.end_seq = max(self.now, record.start), self.seq
        self.done.append(record)

    def ensure_segment(self, agent_remote_id: str = "") -> SpanRecord:
        if self.segment is None:
            agent = self.meta.agents.get(self.agent_name) or AgentMeta(id="", name=self.agent_name)
            self.segment = self.span(
                f"agent:{self.seq}",
                f"invoke_agent {agent.name}",
                "client",
                None,
                **{
                    "gen_ai.operation.name": "invoke_agent",
                    "gen_ai.agent.name": agent.name,
                    "gen_ai.agent.description": agent.description,
                    "gen_ai.request.model": agent.model,
                    "agentstudio.agent.id": agent.id,
                    "agentstudio.workspace.id": self.meta.workspace_id,
                    "agentstudio.graph.id": self.meta.graph_id,
                    "gen_ai.usage.input_tokens": 0,
                    "gen_ai.usage.output_tokens": 0,
                },
            )
            self.segment.parent_id = self.next_parent
            self.next_parent = None
        if agent_remote_id:
            self.segment.attributes["gen_ai.agent.id"] = agent_remote_id
        return self.segment

    def end_segment(self) -> None:
        if self.segment is not None:
            self.segment.attributes.setdefault(
                "gen_ai.agent.id", self.segment.attributes.get("agentstudio.agent.id", "")
            )
            if self.remote_conversation:
                self.segment.attributes["agentstudio.backend.conversation_id"] = (
                    self.remote_conversation
                )
            self.close(self.segment)
            self.segment = None

    def agent_output(self, data: dict[str, Any]) -> SpanRecord:
        segment = self.ensure_segment(data.get("agent_id") or "")
        if data.get("model"):
            segment.attributes["gen_ai.response.model"] = data["model"]
        return segment

    # -- the events ---------------------------------------------------------------------------
    def feed(self, event: dict[str, Any]) -> None:
        self.seq = int(event["seq"])
        self.now = event_time(event, self.now)
        if self.now is None:
            return  # nothing to place it in time yet (a log always starts with a dated row)
        data = event.get("data") or {}
        handler = getattr(self, "on_" + event["type"].replace(".", "_"), None)
        if handler is not None:
            handler(data)

    def on_message_input(self, data: dict[str, Any]) -> None:
        self.ensure_segment()

    def on_conversation_response_started(self, data: dict[str, Any]) -> None:
        self.remote_conversation = data.get("conversation_id") or self.remote_conversation
        self.chat = self.span(f"chat:{self.seq}", "chat", "client", None)
        self.chat.attributes["gen_ai.operation.name"] = "chat"

    def on_conversation_response_done(self, data: dict[str, Any]) -> None:
        usage = data.get("usage") or {}
        self.finish_chat(usage)

    def on_conversation_response_error(self, data: dict[str, Any]) -> None:
        kind = f"response_error_{data['code']}" if data.get("code") else "response_error"
        self.ensure_segment().fail(kind, data.get("message") or "")
        self.finish_chat({}, error=(kind, data.get("message") or ""))

    def finish_chat(self, usage: dict[str, Any], error: tuple[str, str] | None = None) -> None:
        if self.chat is None:
            return
        segment = self.ensure_segment()
        chat, self.chat = self.chat, None
        chat.parent_id = segment.span_id
        model = segment.attributes.get("gen_ai.response.model") or segment.attributes.get(
            "gen_ai.request.model", ""
        )
        chat.name = f"chat {model}".strip()
        input_tokens = int(usage.get("prompt_tokens") or 0)
        output_tokens = int(usage.get("completion_tokens") or 0)
        chat.attributes.update(
            {
                "gen_ai.agent.name": segment.attributes["gen_ai.agent.name"],
                "gen_ai.request.model": segment.attributes.get("gen_ai.request.model", ""),
                "gen_ai.response.model": model,
                "gen_ai.usage.input_tokens": input_tokens,
                "gen_ai.usage.output_tokens": output_tokens,
            }
        )
        segment.attributes["gen_ai.usage.input_tokens"] += input_tokens
        segment.attributes["gen_ai.usage.output_tokens"] += output_tokens
        if error:
            chat.fail(*error)
        self.close(chat)

    def on_agent_handoff_started(self, data: dict[str, Any]) -> None:
        segment = self.ensure_segment(data.get("previous_agent_id") or "")
        key = f"transfer:{data.get('id') or self.seq}"
        self.open[key] = self.span(
            key,
            "execute_tool transfer",
            "internal",
            segment,
            **{
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.agent.name": segment.attributes["gen_ai.agent.name"],
                "gen_ai.tool.type": "function",
                "gen_ai.tool.call.id": data.get("id") or "",
                "gen_ai.transfer.mode": "pass_control",
            },
        )
        self.end_segment()

    def on_agent_handoff_done(self, data: dict[str, Any]) -> None:
        key = f"transfer:{data.get('id') or ''}"
        transfer = self.open.pop(key, None)
        target = data.get("next_agent_name") or ""
        if transfer is None:  # a done without its started: still a handoff
            transfer = self.span(key, "", "internal", self.ensure_segment(), **{})
            self.end_segment()
        tool = f"transfer_to_{target}"
        transfer.name = f"execute_tool {tool}"
        transfer.attributes.update(
            {
                "gen_ai.tool.name": tool,
                "gen_ai.transfer.target.name": target,
                "gen_ai.transfer.target.id": data.get("next_agent_id") or "",
            }
        )
        self.close(transfer)
        self.agent_name = target or self.agent_name
        self.next_parent = transfer.span_id
        self.ensure_segment(data.get("next_agent_id") or "")

    def on_message_output_delta(self, data: dict[str, Any]) -> None:
        self.agent_output(data)

    def on_tool_execution_started(self, data: dict[str, Any]) -> None:
        segment = self.agent_output(data)
        name = data.get("name") or "tool"
        key = f"tool:{data.get('id') or self.seq}"
        self.open[key] = self.span(
            key,
            f"execute_tool {name}",
            "internal",
            segment,
            **{
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.agent.name": segment.attributes["gen_ai.agent.name"],
                "gen_ai.tool.name": name,
                "gen_ai.tool.type": TOOL_TYPES.get(name, "extension"),
                "gen_ai.tool.call.id": data.get("id") or "",
            },
        )

    def on_tool_execution_done(self, data: dict[str, Any]) -> None:
        tool = self.open.pop(f"tool:{data.get('id') or ''}", None)
        if tool is not None:
            self.close(tool)

    def on_function_call_delta(self, data: dict[str, Any]) -> None:
        call_id = data.get("tool_call_id") or data.get("id") or ""
        if call_id in self.calls:
            return
        segment = self.agent_output(data)
        name = data.get("name") or "function"
        key = f"call:{self.seq}"
        self.calls[call_id] = key
        self.open[key] = self.span(
            key,
            f"execute_tool {name}",
            "internal",
            segment,
            **{
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.agent.name": segment.attributes["gen_ai.agent.name"],
                "gen_ai.tool.name": name,
                "gen_ai.tool.type": "function",
                "gen_ai.tool.call.id": call_id,
            },
        )

    def on_pending_created(self, data: dict[str, Any]) -> None:
        if data.get("kind") == "function_call":
            parent = self.open.get(self.calls.get(data.get("tool_call_id") or "", ""))
        else:  # a client-mode handoff waits under the transfer it paused on
            parent = next((s for s in reversed(self.done) if s.key.startswith("transfer:")), None)
        key = f"wait:{data.get('id') or self.seq}"
        self.open[key] = self.span(
            key,
            f"wait_for_person {data.get('name') or ''}".strip(),
            "internal",
            parent or self.ensure_segment(),
            **{
                "agentstudio.pending.id": data.get("id") or "",
                "agentstudio.pending.kind": data.get("kind") or "",
                "gen_ai.tool.name": data.get("name") or "",
                "gen_ai.tool.call.id": data.get("tool_call_id") or "",
            },
        )

    def on_pending_resolved(self, data: dict[str, Any]) -> None:
        wait = self.open.pop(f"wait:{data.get('id') or ''}", None)
        if wait is None:
            return
        wait.attributes["agentstudio.pending.status"] = data.get("status") or ""
        who = self.meta.answered_by.get(data.get("id") or "")
        if who:
            wait.attributes["agentstudio.pending.answered_by"] = who
        self.close(wait)

    def on_function_result(self, data: dict[str, Any]) -> None:
        key = self.calls.pop(data.get("tool_call_id") or "", "")
        call = self.open.pop(key, None)
        if call is None:
            return
        if data.get("user"):
            call.attributes["agentstudio.function.answered_by"] = data["user"]
        self.close(call)

    def on_conversation_status(self, data: dict[str, Any]) -> None:
        status = data.get("status")
        if status not in ENDING_STATUSES:
            return
        if status == "failed":
            kind = error_kind(data.get("error") or "")
            segment = self.ensure_segment()
            if not segment.error_type:
                segment.fail(kind, data.get("error") or "")
        self.finish_chat({}, error=("turn_" + status, "") if status != "completed" else None)
        for key in list(self.open):  # whatever was still open ends with the turn
            record = self.open.pop(key)
            if status == "failed" and not record.error_type:
                record.fail("turn_failed")
            self.close(record)
        self.calls.clear()
        self.end_segment()
        self.next_parent = None  # a later message starts a new top-level segment


def build_spans(events: list[dict[str, Any]], meta: ConversationMeta) -> list[SpanRecord]:
    """The spans that have ended in `events` (ascending seq), in the order they ended."""
    builder = _Builder(meta)
    for event in events:
        builder.feed(event)
    return builder.done
