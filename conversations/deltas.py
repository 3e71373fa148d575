"""Coalescing stream deltas: consecutive deltas of one entry become one event, text concatenated.

The backend streams a delta per token or two; the log, the channel layer and every socket would
otherwise carry one event per token. Deltas of one entry that arrive within one flush window are
logged and published as a single event whose `content` (or `arguments`) is the pieces joined, so
a conversation's event count grows with time rather than with its token count. The projection
joins consecutive text deltas anyway, so live, replayed and REST entries read the same.

Two deltas merge only when they are the same type, for the same entry, both carry a string in the
growing field, and every other field is equal (a content chunk object, a new `content_index` or
another agent never merges).
"""

from __future__ import annotations

from typing import Any

from conversations.events import EventType

# The field each delta type grows.
GROWING_FIELD = {
    EventType.MESSAGE_OUTPUT_DELTA: "content",
    EventType.TOOL_EXECUTION_DELTA: "arguments",
    EventType.FUNCTION_CALL_DELTA: "arguments",
}
DELTA_TYPES = frozenset(GROWING_FIELD)

Item = tuple[str, dict[str, Any]]


def mergeable(previous: Item, kind: str, data: dict[str, Any]) -> bool:
    field = GROWING_FIELD.get(kind)
    if field is None or previous[0] != kind:
        return False
    before = previous[1]
    if not isinstance(before.get(field), str) or not isinstance(data.get(field), str):
        return False
    if before.keys() != data.keys():
        return False
    return all(value == before[key] for key, value in data.items() if key != field)


def append(items: list[Item], kind: str, data: dict[str, Any]) -> None:
    """Append an event to a buffer, folding it into the last one when both are deltas of the same
    entry. The buffer gets its own copies: the caller's dicts are never changed."""
    if items and mergeable(items[-1], kind, data):
        field = GROWING_FIELD[kind]
        last_kind, last = items[-1]
        items[-1] = (last_kind, {**last, field: last[field] + data[field]})
    else:
        items.append((kind, dict(data)))


def coalesce(items: list[Item]) -> list[Item]:
    """The same events with runs of mergeable deltas folded together (a new list)."""
    out: list[Item] = []
    for kind, data in items:
        append(out, kind, data)
    return out
