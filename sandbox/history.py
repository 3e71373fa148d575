"""Reading a conversation's history: its texts, the user's request, the numbers in it."""

from __future__ import annotations

import re
from typing import Any

from sandbox import wire

Entry = wire.Entry


def content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for chunk in content or []:
        if isinstance(chunk, dict):
            parts.append(str(chunk.get("text") or chunk.get("title") or ""))
    return " ".join(p for p in parts if p)


def entry_text(entry: Entry) -> str:
    kind = entry.get("type")
    if kind in ("message.input", "message.output"):
        return content_text(entry.get("content"))
    if kind == "function.call":
        return str(entry.get("arguments") or "")
    if kind == "function.result":
        return str(entry.get("result") or "")
    if kind == "tool.execution":
        return str(entry.get("arguments") or "")
    return ""


def request_text(history: list[Entry]) -> str:
    """The user's latest message: what every agent in this request works on."""
    for entry in reversed(history):
        if entry.get("type") == "message.input" and entry.get("role", "user") == "user":
            return content_text(entry.get("content"))
    return ""


def current_segment(history: list[Entry]) -> list[Entry]:
    """Entries since the user's latest message (what has been done for this request)."""
    for index in range(len(history) - 1, -1, -1):
        if history[index].get("type") == "message.input":
            return history[index + 1 :]
    return list(history)


_PERCENT = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
_YEARS = re.compile(r"(\d{1,3})\s*(?:-\s*)?(?:years?|yrs?|y)\b", re.IGNORECASE)


def find_rate(history: list[Entry], default: float = 5.0) -> float:
    """The latest percentage in the conversation: function results first, then any text."""
    for kinds in (("function.result",), ("function.result", "message.output", "message.input")):
        for entry in reversed(history):
            if entry.get("type") in kinds:
                found = _PERCENT.findall(entry_text(entry))
                if found:
                    return float(found[-1].replace(",", "."))
    return default


def find_years(text: str, default: int = 10) -> int:
    found = _YEARS.findall(text)
    return max(1, min(100, int(found[0]))) if found else default
