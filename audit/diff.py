"""Before and after of an audit entry as rows a person can compare side by side.

Objects are compared field by field (their top-level keys, in the after's order, then the keys
only the before had); anything else is one row. Values are shown as indented JSON text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit.display import pretty_json

MISSING = object()


@dataclass(frozen=True)
class DiffRow:
    field: str
    before: str
    after: str
    state: str  # "changed" | "added" | "removed" | "same"


def _text(value: Any) -> str:
    return "" if value is MISSING or value is None else pretty_json(value)


def _state(before: Any, after: Any) -> str:
    if before is MISSING:
        return "added"
    if after is MISSING:
        return "removed"
    return "same" if before == after else "changed"


def diff_rows(before: Any, after: Any) -> list[DiffRow]:
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        fields = [*new, *(k for k in old if k not in new)]
        return [
            DiffRow(
                field=str(key),
                before=_text(old.get(key, MISSING)),
                after=_text(new.get(key, MISSING)),
                state=_state(old.get(key, MISSING), new.get(key, MISSING)),
            )
            for key in fields
        ]
    if before is None and after is None:
        return []
    return [
        DiffRow(
            field="value",
            before=_text(before),
            after=_text(after),
            state=_state(
                MISSING if before is None else before, MISSING if after is None else after
            ),
        )
    ]


def change_summary(rows: list[DiffRow]) -> str:
    changed = [r.field for r in rows if r.state != "same"]
    if not rows:
        return ""
    if not changed:
        return "no field changed"
    shown = ", ".join(changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")
    return f"{len(changed)} field{'s' if len(changed) != 1 else ''}: {shown}"
