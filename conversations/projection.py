"""The one projection from a conversation's events to its entries: pure Python, no ORM.

The worker's recorder (`conversations.engine.recorder`) runs it on the stream and maps remote
agent ids to local agents around it; `project_entries` runs it on a logged event list. A
JavaScript port for the live page and the editor is tested against `project_entries` on the same
fixtures (`conversations/tests/fixtures/*.jsonl`), so everything here is JSON-simple and
deterministic: no clocks, no random keys, no floats.

Input: events as logged, `{"seq": int, "type": str, "data": {...}}` (see `conversations.events`).

Output: a list of entries in position order (the order each first appeared in the log), each

    {
      "key": str,              # the backend's entry id (stream events' `id`), or for our own
                               #   message.input / function.result the local Entry id
                               #   (`data.entry` of their events)
      "type": str,             # message.input | message.output | tool.execution |
                               #   function.call | function.result | agent.handoff
      "agent_remote_id": str | None,  # the backend agent that produced it (for a handoff: the
                               #   agent handing off; for a function.result: its call's);
                               #   None for message.input
      "agent_name": str | None,  # that agent's name, as far as the log's handoffs tell
      "role": str,             # "assistant" for message.output, "user" for message.input, else ""
      "text": str,             # message.output: its text chunks joined; message.input: content
      "data": {...},           # per type, exactly what the REST entry's `data` holds:
    }

    message.output   {"chunks": [{"type": "text", "text"}, or any other chunk as sent]}
                     (consecutive text deltas are joined into one text chunk; None fields of a
                     chunk object are dropped)
    tool.execution   {"name", "arguments", "info"?, "done"?: true}
    function.call    {"name", "tool_call_id", "arguments"}  (arguments: the JSON text, joined)
    agent.handoff    {"previous_agent_id", "previous_agent_name", "next_agent_id",
                      "next_agent_name"}  (the REST entry adds "next_agent", the local id)
    message.input    {"content"}
    function.result  {"tool_call_id", "result", "name", "automatic"?: true}

Beside the entries, `retrying` holds the last `backend.retrying` notice of the turn under way
(the worker waits to retry opening the stream), until the response starts or the status changes.

A `conversation.status` of `failed` drops the outputs (message.output, tool.execution,
function.call, agent.handoff) seen since the turn started (the last `conversation.status` of
`running` or `conversation.response.started`), as the worker deletes a failed turn's half-written
outputs. Other events of our own change no entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conversations.events import EventType

MESSAGE_INPUT = "message.input"
MESSAGE_OUTPUT = "message.output"
TOOL_EXECUTION = "tool.execution"
FUNCTION_CALL = "function.call"
FUNCTION_RESULT = "function.result"
AGENT_HANDOFF = "agent.handoff"
OUTPUT_TYPES = frozenset({MESSAGE_OUTPUT, TOOL_EXECUTION, FUNCTION_CALL, AGENT_HANDOFF})
ZERO_USAGE = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


class Projection:
    """Entries and conversation state, updated one event at a time.

    Beside the entries it keeps what the worker needs of a turn: the backend's conversation id,
    the active agent (remote id, after the handoffs), the last usage and the running total,
    whether the response is done or failed, and the tool files seen (chunk, entry key).
    """

    def __init__(
        self, *, active_agent_id: str | None = None, active_agent_name: str | None = None
    ) -> None:
        self.entries: dict[str, dict[str, Any]] = {}  # by key, in insertion (position) order
        self.conversation_id: str | None = None
        self.active_agent_id = active_agent_id
        self.agent_names: dict[str, str] = {}
        if active_agent_id and active_agent_name:
            self.agent_names[active_agent_id] = active_agent_name
        self.usage: dict[str, Any] | None = None
        self.total_usage: dict[str, int] = dict(ZERO_USAGE)
        self.done = False
        self.error: dict[str, Any] | None = None
        self.files: list[tuple[dict[str, Any], str]] = []
        self.retrying: dict[str, Any] | None = None
        self._turn_outputs: list[str] = []

    # -- reading ------------------------------------------------------------------------------
    def entry_list(self) -> list[dict[str, Any]]:
        return [
            {**entry, "agent_name": self.agent_names.get(entry["agent_remote_id"] or "")}
            for entry in self.entries.values()
        ]

    # -- applying -------------------------------------------------------------------------------
    def _entry(self, key: str, kind: str, agent_remote_id: str | None) -> dict[str, Any]:
        entry = self.entries.get(key)
        if entry is None:
            role = {MESSAGE_OUTPUT: "assistant", MESSAGE_INPUT: "user"}.get(kind, "")
            entry = {
                "key": key,
                "type": kind,
                "agent_remote_id": agent_remote_id,
                "agent_name": None,
                "role": role,
                "text": "",
                "data": {},
            }
            self.entries[key] = entry
            if kind in OUTPUT_TYPES:
                self._turn_outputs.append(key)
        return entry

    def _agent(self, data: Mapping[str, Any], field: str = "agent_id") -> str | None:
        return data.get(field) or self.active_agent_id

    def apply(self, kind: str, data: Mapping[str, Any]) -> str | None:
        """Apply one event; returns the key of the entry it created or changed, if any."""
        handler = _HANDLERS.get(kind)
        return handler(self, data) if handler is not None else None

    def _response_started(self, data: Mapping[str, Any]) -> None:
        self.conversation_id = data.get("conversation_id") or self.conversation_id
        self.done, self.error, self._turn_outputs = False, None, []
        self.retrying = None

    def _message_output_delta(self, data: Mapping[str, Any]) -> str:
        entry = self._entry(data["id"], MESSAGE_OUTPUT, self._agent(data))
        chunks = entry["data"].setdefault("chunks", [])
        content = data.get("content")
        if isinstance(content, str):
            entry["text"] += content
            if chunks and chunks[-1].get("type") == "text":
                chunks[-1]["text"] += content
            else:
                chunks.append({"type": "text", "text": content})
        elif isinstance(content, dict):
            chunk = {k: v for k, v in content.items() if v is not None}
            chunks.append(chunk)
            if chunk.get("type") == "tool_file":
                self.files.append((chunk, entry["key"]))
            elif chunk.get("type") == "text":
                entry["text"] += chunk.get("text", "")
        return entry["key"]

    def _tool_execution_started(self, data: Mapping[str, Any]) -> str:
        entry = self._entry(data["id"], TOOL_EXECUTION, self._agent(data))
        entry["data"].update(name=data.get("name"), arguments=data.get("arguments") or "")
        return entry["key"]

    def _tool_execution_delta(self, data: Mapping[str, Any]) -> str:
        entry = self._entry(data["id"], TOOL_EXECUTION, self._agent(data))
        fields = entry["data"]
        fields["arguments"] = fields.get("arguments", "") + (data.get("arguments") or "")
        fields.setdefault("name", data.get("name"))
        return entry["key"]

    def _tool_execution_done(self, data: Mapping[str, Any]) -> str:
        entry = self._entry(data["id"], TOOL_EXECUTION, self._agent(data))
        entry["data"].setdefault("name", data.get("name"))
        entry["data"]["info"] = data.get("info") or {}
        entry["data"]["done"] = True
        return entry["key"]

    def _handoff_started(self, data: Mapping[str, Any]) -> str:
        previous = data.get("previous_agent_id")
        entry = self._entry(data["id"], AGENT_HANDOFF, self._agent(data, "previous_agent_id"))
        entry["data"].update(
            previous_agent_id=previous, previous_agent_name=data.get("previous_agent_name")
        )
        if previous and data.get("previous_agent_name"):
            self.agent_names[previous] = data["previous_agent_name"]
        return entry["key"]

    def _handoff_done(self, data: Mapping[str, Any]) -> str:
        entry = self._entry(data["id"], AGENT_HANDOFF, self.active_agent_id)
        following = data.get("next_agent_id")
        entry["data"].update(next_agent_id=following, next_agent_name=data.get("next_agent_name"))
        if following:
            if data.get("next_agent_name"):
                self.agent_names[following] = data["next_agent_name"]
            self.active_agent_id = following
        return entry["key"]

    def _function_call_delta(self, data: Mapping[str, Any]) -> str:
        entry = self._entry(data["id"], FUNCTION_CALL, self._agent(data))
        fields = entry["data"]
        fields["name"] = data.get("name") or fields.get("name")
        fields["tool_call_id"] = data.get("tool_call_id") or fields.get("tool_call_id")
        fields["arguments"] = fields.get("arguments", "") + (data.get("arguments") or "")
        return entry["key"]

    def _response_done(self, data: Mapping[str, Any]) -> None:
        self.usage = dict(data.get("usage") or {})
        for field in ZERO_USAGE:
            self.total_usage[field] += int(self.usage.get(field) or 0)
        self.done = True

    def _response_error(self, data: Mapping[str, Any]) -> None:
        self.error = {"message": data.get("message"), "code": data.get("code")}

    def _message_input(self, data: Mapping[str, Any]) -> str:
        entry = self._entry(data["entry"], MESSAGE_INPUT, None)
        entry["text"] = data.get("content") or ""
        entry["data"] = {"content": entry["text"]}
        return entry["key"]

    def _function_result(self, data: Mapping[str, Any]) -> str:
        # The result is the calling agent's: the function.call's with the same tool_call_id.
        call = next(
            (
                e
                for e in self.entries.values()
                if e["type"] == FUNCTION_CALL
                and e["data"].get("tool_call_id") == data.get("tool_call_id")
            ),
            None,
        )
        entry = self._entry(
            data["entry"], FUNCTION_RESULT, call["agent_remote_id"] if call else None
        )
        entry["data"] = {
            "tool_call_id": data.get("tool_call_id"),
            "result": data.get("result"),
            "name": data.get("name"),
        }
        if data.get("automatic"):
            entry["data"]["automatic"] = True
        return entry["key"]

    def _branched(self, data: Mapping[str, Any]) -> None:
        # A branch's kept history, before any turn of its own: nothing a failed turn drops.
        for kept in data.get("entries") or []:
            self.entries[kept["key"]] = {
                "key": kept["key"],
                "type": kept["type"],
                "agent_remote_id": kept.get("agent_remote_id"),
                "agent_name": None,
                "role": kept.get("role") or "",
                "text": kept.get("text") or "",
                "data": dict(kept.get("data") or {}),
            }
            if kept.get("agent_remote_id") and kept.get("agent_name"):
                self.agent_names[kept["agent_remote_id"]] = kept["agent_name"]
            if kept["type"] == AGENT_HANDOFF and kept["data"].get("next_agent_id"):
                self.active_agent_id = kept["data"]["next_agent_id"]

    def _backend_retrying(self, data: Mapping[str, Any]) -> None:
        self.retrying = dict(data)

    def _conversation_status(self, data: Mapping[str, Any]) -> None:
        self.retrying = None
        if data.get("status") == "running":
            # A turn starts: one that fails before its response starts drops nothing earlier.
            self._turn_outputs = []
        elif data.get("status") == "failed":
            for key in self._turn_outputs:
                self.entries.pop(key, None)
            self._turn_outputs = []


_HANDLERS = {
    EventType.RESPONSE_STARTED: Projection._response_started,
    EventType.MESSAGE_OUTPUT_DELTA: Projection._message_output_delta,
    EventType.TOOL_EXECUTION_STARTED: Projection._tool_execution_started,
    EventType.TOOL_EXECUTION_DELTA: Projection._tool_execution_delta,
    EventType.TOOL_EXECUTION_DONE: Projection._tool_execution_done,
    EventType.AGENT_HANDOFF_STARTED: Projection._handoff_started,
    EventType.AGENT_HANDOFF_DONE: Projection._handoff_done,
    EventType.FUNCTION_CALL_DELTA: Projection._function_call_delta,
    EventType.RESPONSE_DONE: Projection._response_done,
    EventType.RESPONSE_ERROR: Projection._response_error,
    EventType.MESSAGE_INPUT: Projection._message_input,
    EventType.FUNCTION_RESULT: Projection._function_result,
    EventType.CONVERSATION_STATUS: Projection._conversation_status,
    EventType.CONVERSATION_BRANCHED: Projection._branched,
    EventType.BACKEND_RETRYING: Projection._backend_retrying,
}


def project_entries(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The entries a logged event list amounts to, in position order (see the module's doc)."""
    projection = Projection()
    for event in sorted(events, key=lambda e: e["seq"]):
        projection.apply(event["type"], event["data"])
    return projection.entry_list()
