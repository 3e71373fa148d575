"""The event catalogue: every type the event log holds, and the shape of each one's `data`.

Two families share the log. The backend's stream events are logged verbatim (their payloads are
the Mistral API's, `type` included; see `reference/mistral-api.md` §5); the others Agent Studio
writes itself (`OWN_EVENT_TYPES`). Each type has a payload TypedDict here; `PAYLOADS` maps one to
the other. The same definitions give the OpenAPI components of `/api/schema/`
(`conversations.api.schema`) and the JSON Schema committed at
`static/conversations/events.schema.json` (`event_json_schema()`; regenerate it with
`python -m conversations.events > static/conversations/events.schema.json`).

This module imports nothing of Django, so scripts and the browser's checks can use it as is.
(No `from __future__ import annotations`: the TypedDicts' Required/NotRequired must be real
objects for `__required_keys__`, which the schema relies on.)
"""

import json
from enum import StrEnum
from typing import Any, Literal, NotRequired, TypedDict

from conversations.event_schema import DateTime, json_schema_document

CONVERSATION_STATUSES = (
    "queued",
    "running",
    "awaiting_input",
    "completed",
    "failed",
    "cancelled",
    "paused",
)


class EventType(StrEnum):
    # The backend's stream, verbatim.
    RESPONSE_STARTED = "conversation.response.started"
    MESSAGE_OUTPUT_DELTA = "message.output.delta"
    TOOL_EXECUTION_STARTED = "tool.execution.started"
    TOOL_EXECUTION_DELTA = "tool.execution.delta"
    TOOL_EXECUTION_DONE = "tool.execution.done"
    AGENT_HANDOFF_STARTED = "agent.handoff.started"
    AGENT_HANDOFF_DONE = "agent.handoff.done"
    FUNCTION_CALL_DELTA = "function.call.delta"
    RESPONSE_DONE = "conversation.response.done"
    RESPONSE_ERROR = "conversation.response.error"
    # Agent Studio's own.
    CONVERSATION_STATUS = "conversation.status"
    MESSAGE_INPUT = "message.input"
    FUNCTION_RESULT = "function.result"
    PENDING_CREATED = "pending.created"
    PENDING_RESOLVED = "pending.resolved"
    FILE_READY = "file.ready"
    CONVERSATION_BRANCHED = "conversation.branched"
    BACKEND_RETRYING = "backend.retrying"


# Event types Agent Studio writes itself; every other type is a backend stream event, verbatim.
OWN_EVENT_TYPES = frozenset(
    {
        EventType.CONVERSATION_STATUS,
        EventType.MESSAGE_INPUT,
        EventType.FUNCTION_RESULT,
        EventType.PENDING_CREATED,
        EventType.PENDING_RESOLVED,
        EventType.FILE_READY,
        EventType.CONVERSATION_BRANCHED,
        EventType.BACKEND_RETRYING,
    }
)
STREAM_EVENT_TYPES = frozenset(set(EventType) - OWN_EVENT_TYPES)


# -- content chunks of message.output (one per delta, never a list) -----------------------------
class TextChunk(TypedDict):
    type: Literal["text"]
    text: str


class ToolReferenceChunk(TypedDict):
    type: Literal["tool_reference"]
    tool: str
    title: str
    url: NotRequired[str | None]
    favicon: NotRequired[str | None]
    description: NotRequired[str | None]
    source: NotRequired[str | None]


class ToolFileChunk(TypedDict):
    type: Literal["tool_file"]
    tool: str
    file_id: str
    file_name: NotRequired[str | None]
    file_type: NotRequired[str | None]


class ImageUrlChunk(TypedDict):
    type: Literal["image_url"]
    image_url: str | dict[str, Any]


class DocumentUrlChunk(TypedDict):
    type: Literal["document_url"]
    document_url: str
    document_name: NotRequired[str | None]


class ThinkingChunk(TypedDict):
    type: Literal["thinking"]
    thinking: list[dict[str, Any]]
    signature: NotRequired[str | None]
    closed: NotRequired[bool | None]


ContentChunk = (
    TextChunk
    | ToolReferenceChunk
    | ToolFileChunk
    | ImageUrlChunk
    | DocumentUrlChunk
    | ThinkingChunk
)


# -- the backend's stream events ----------------------------------------------------------------
class ResponseStartedData(TypedDict):
    type: Literal["conversation.response.started"]
    conversation_id: str
    created_at: NotRequired[DateTime | None]


class MessageOutputDeltaData(TypedDict):
    type: Literal["message.output.delta"]
    id: str
    content: str | ContentChunk
    output_index: NotRequired[int]
    content_index: NotRequired[int]
    role: NotRequired[Literal["assistant"]]
    model: NotRequired[str | None]
    agent_id: NotRequired[str | None]
    created_at: NotRequired[DateTime | None]


class ToolExecutionStartedData(TypedDict):
    type: Literal["tool.execution.started"]
    id: str
    name: str
    arguments: str
    output_index: NotRequired[int]
    model: NotRequired[str | None]
    agent_id: NotRequired[str | None]
    created_at: NotRequired[DateTime | None]


class ToolExecutionDeltaData(TypedDict):
    type: Literal["tool.execution.delta"]
    id: str
    name: str
    arguments: str
    output_index: NotRequired[int]
    model: NotRequired[str | None]
    agent_id: NotRequired[str | None]
    created_at: NotRequired[DateTime | None]


class ToolExecutionDoneData(TypedDict):
    type: Literal["tool.execution.done"]
    id: str
    name: str
    info: NotRequired[dict[str, Any]]
    output_index: NotRequired[int]
    created_at: NotRequired[DateTime | None]


class AgentHandoffStartedData(TypedDict):
    type: Literal["agent.handoff.started"]
    id: str
    previous_agent_id: str
    previous_agent_name: str
    output_index: NotRequired[int]
    created_at: NotRequired[DateTime | None]


class AgentHandoffDoneData(TypedDict):
    type: Literal["agent.handoff.done"]
    id: str
    next_agent_id: str
    next_agent_name: str
    output_index: NotRequired[int]
    created_at: NotRequired[DateTime | None]


class FunctionCallDeltaData(TypedDict):
    type: Literal["function.call.delta"]
    id: str
    name: str
    tool_call_id: str
    arguments: str
    output_index: NotRequired[int]
    model: NotRequired[str | None]
    agent_id: NotRequired[str | None]
    confirmation_status: NotRequired[Literal["pending", "allowed", "denied"] | None]
    created_at: NotRequired[DateTime | None]


class UsageData(TypedDict):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    connector_tokens: NotRequired[int | None]
    connectors: NotRequired[dict[str, Any] | None]


class ResponseDoneData(TypedDict):
    type: Literal["conversation.response.done"]
    usage: UsageData
    created_at: NotRequired[DateTime | None]


class ResponseErrorData(TypedDict):
    type: Literal["conversation.response.error"]
    message: str
    code: int
    created_at: NotRequired[DateTime | None]


# -- Agent Studio's own -------------------------------------------------------------------------
class ConversationStatusData(TypedDict):
    status: Literal[CONVERSATION_STATUSES]
    error: NotRequired[str]


class MessageInputData(TypedDict):
    entry: str  # the Entry's id
    role: Literal["user"]
    content: str
    user: str | None  # who wrote it


class FunctionResultData(TypedDict):
    entry: str  # the Entry's id
    tool_call_id: str
    name: str
    result: str
    user: str | None  # who answered; None when the worker ran a registered function
    automatic: NotRequired[bool]  # true when the worker ran a registered function


class PendingActionData(TypedDict):
    """A pending action as `PendingAction.as_data()` gives it (pending.created and .resolved)."""

    id: str
    conversation: str
    kind: Literal["function_call", "handoff", "approval"]
    name: str
    arguments: dict[str, Any]
    tool_call_id: str
    status: Literal["pending", "resolved", "cancelled"]
    result: NotRequired[str]  # resolved only: the function's result, or continue/stop


class FileReadyData(TypedDict):
    id: str  # the GeneratedFile's id
    name: str
    type: str  # MIME type
    size: int
    url: str
    entry: str | None  # the message.output Entry's id


class BranchedEntryData(TypedDict):
    """An entry of the parent kept by a branch, as the projection gives entries (`key`: the
    backend's id of an output, the branch's own Entry id of an input)."""

    key: str
    type: Literal[
        "message.input",
        "message.output",
        "tool.execution",
        "function.call",
        "function.result",
        "agent.handoff",
    ]
    agent_remote_id: str | None
    agent_name: str | None
    role: str
    text: str
    data: dict[str, Any]


class ConversationBranchedData(TypedDict):
    """The first event of a branch: the history it keeps from its parent (every entry before
    `from_entry`), so the branch's own log projects to its whole conversation."""

    parent: str  # the parent conversation's id
    from_entry: str  # the parent's Entry the branch restarted from
    agent_versions: Literal["current", "original"]
    entries: list[BranchedEntryData]


class BackendRetryingData(TypedDict):
    """The worker is about to retry opening the backend's stream (a 429, a 5xx or a connection
    error), after waiting `delay_ms`."""

    attempt: int  # this retry's number: 1 for the first
    max_attempts: int  # retries allowed in all
    status: int | None  # the HTTP status that failed; None for a connection error
    delay_ms: int
    reason: str  # e.g. "HTTP 503"


PAYLOADS: dict[EventType, type] = {
    EventType.RESPONSE_STARTED: ResponseStartedData,
    EventType.MESSAGE_OUTPUT_DELTA: MessageOutputDeltaData,
    EventType.TOOL_EXECUTION_STARTED: ToolExecutionStartedData,
    EventType.TOOL_EXECUTION_DELTA: ToolExecutionDeltaData,
    EventType.TOOL_EXECUTION_DONE: ToolExecutionDoneData,
    EventType.AGENT_HANDOFF_STARTED: AgentHandoffStartedData,
    EventType.AGENT_HANDOFF_DONE: AgentHandoffDoneData,
    EventType.FUNCTION_CALL_DELTA: FunctionCallDeltaData,
    EventType.RESPONSE_DONE: ResponseDoneData,
    EventType.RESPONSE_ERROR: ResponseErrorData,
    EventType.CONVERSATION_STATUS: ConversationStatusData,
    EventType.MESSAGE_INPUT: MessageInputData,
    EventType.FUNCTION_RESULT: FunctionResultData,
    EventType.PENDING_CREATED: PendingActionData,
    EventType.PENDING_RESOLVED: PendingActionData,
    EventType.FILE_READY: FileReadyData,
    EventType.CONVERSATION_BRANCHED: ConversationBranchedData,
    EventType.BACKEND_RETRYING: BackendRetryingData,
}


class FeedStatusData(TypedDict):
    """The workspace feed's notice of a status change (kind `conversation.status`); the feed's
    pending notices carry `PendingActionData`. Feed notices are not logged."""

    conversation: str
    graph: str
    status: Literal[CONVERSATION_STATUSES]
    active_agent: str
    error: str


# -- orchestration runs' own log (one per run, gap-free like a conversation's) -----------------
# A run's log is not a conversation's: its events name steps, each step's conversation keeping
# its own log. They live in this catalogue all the same, as a second enum, so every event type
# of the product has its one definition here; `RUN_PAYLOADS` maps them like `PAYLOADS`.
class RunEventType(StrEnum):
    RUN_STATUS = "run.status"
    STEP_STARTED = "step.started"
    STEP_FINISHED = "step.finished"
    STEP_FAILED = "step.failed"
    STEP_RETRIED = "step.retried"


class RunStatusData(TypedDict):
    status: Literal[CONVERSATION_STATUSES]
    error: NotRequired[str]


class StepData(TypedDict):
    path: str  # the step's node in the spec, e.g. "spec.parallel[1]"
    kind: str  # agent | sequence | route | parallel | compete | delegate | recurse
    agent: str | None  # the agent's name (agent steps)
    conversation: str | None  # the step's conversation (agent steps)
    attempt: int
    output: NotRequired[str]  # step.finished
    error: NotRequired[str]  # step.failed, step.retried
    retry_in_s: NotRequired[float]  # step.retried


RUN_PAYLOADS: dict[RunEventType, type] = {
    RunEventType.RUN_STATUS: RunStatusData,
    RunEventType.STEP_STARTED: StepData,
    RunEventType.STEP_FINISHED: StepData,
    RunEventType.STEP_FAILED: StepData,
    RunEventType.STEP_RETRIED: StepData,
}


def event_json_schema() -> dict[str, Any]:
    """One logged event, `{"seq", "type", "data", "created_at"?}`, as a JSON Schema document."""
    return json_schema_document(
        {str(kind): payload for kind, payload in PAYLOADS.items()},
        title="Agent Studio conversation event",
        description=(
            "One event of a conversation's log, as /api/conversations/{id}/events/ and the "
            "/ws/conversations/{id}/ socket send it. Generated from conversations/events.py."
        ),
    )


def event_json_schema_text() -> str:
    return json.dumps(event_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(event_json_schema_text(), end="")  # noqa: T201 - the regeneration command
