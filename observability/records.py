"""What the span builder works with and produces: the conversation's metadata, the span
records, their stable ids, error kinds and event times; and the turns' durations, for metrics."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PROVIDER = "mistral_ai"
ENDING_STATUSES = {"completed", "failed", "cancelled"}
TOOL_TYPES = {"document_library": "datastore"}  # the other built-in tools are extensions


@dataclass(frozen=True)
class AgentMeta:
    id: str  # our agent's id
    name: str
    model: str = ""
    description: str = ""


@dataclass(frozen=True)
class ConversationMeta:
    id: str
    entry_agent: str  # the entry agent's name
    agents: dict[str, AgentMeta] = field(default_factory=dict)  # by name
    workspace_id: str = ""
    graph_id: str = ""
    answered_by: dict[str, str] = field(default_factory=dict)  # pending action id -> username


@dataclass
class SpanRecord:
    key: str
    name: str
    kind: str  # "client" | "internal"
    trace_id: int
    span_id: int
    parent_id: int | None
    start: datetime
    start_seq: int
    end: datetime | None = None
    end_seq: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    error_type: str = ""
    error_message: str = ""

    def fail(self, error_type: str, message: str = "") -> None:
        self.error_type, self.error_message = error_type, message
        self.attributes["error.type"] = error_type


def trace_id_for(conversation_id: str) -> int:
    return int.from_bytes(hashlib.sha256(f"trace:{conversation_id}".encode()).digest()[:16]) or 1


def span_id_for(conversation_id: str, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{conversation_id}:{key}".encode()).digest()[:8]) or 1


def error_kind(message: str) -> str:
    """A failed turn's error text as a short, low-cardinality kind (for error.type and metrics)."""
    text = message or ""
    if text.startswith("The backend answered HTTP "):
        return "http_" + text.removeprefix("The backend answered HTTP ").split(":")[0].strip()
    prefixes = {
        "The backend could not be reached": "unreachable",
        "The backend failed": "sdk_error",
        "A generated file could not be downloaded": "file_download",
        "The turn failed unexpectedly": "internal",
        "The backend's stream ended": "dropped_stream",
        "The backend reported an error": "response_error",
    }
    for prefix, kind in prefixes.items():
        if text.startswith(prefix):
            return kind
    return "backend_error"


def event_time(event: dict[str, Any], fallback: datetime | None) -> datetime | None:
    value = event.get("created_at") or (event.get("data") or {}).get("created_at")
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return fallback


def turn_durations(events: list[dict[str, Any]]) -> list[tuple[int, str, float]]:
    """(seq that ended it, outcome, seconds) for every turn that ends in `events`: from the
    status `running` to the next awaiting_input, completed, failed or cancelled."""
    started: datetime | None = None
    out: list[tuple[int, str, float]] = []
    now: datetime | None = None
    for event in events:
        now = event_time(event, now)
        if event["type"] != "conversation.status" or now is None:
            continue
        status = (event.get("data") or {}).get("status")
        if status == "running":
            started = now
        elif started is not None and (status in ENDING_STATUSES or status == "awaiting_input"):
            out.append((int(event["seq"]), status, max(0.0, (now - started).total_seconds())))
            started = None
    return out
