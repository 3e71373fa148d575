"""A turn's inputs: parsing them into wire entries and the API's rules about function results."""

from __future__ import annotations

from typing import Any

from sandbox import wire
from sandbox.errors import ApiError

Entry = wire.Entry


def normalize_inputs(raw: Any) -> list[Entry]:
    """A string, or a list of `message.input`/`function.result` entries, as wire entries."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [wire.message_input(raw)]
    if not isinstance(raw, list):
        raise ApiError(
            wire.validation_error(["body", "inputs"], "Input should be a string or list")
        )
    out: list[Entry] = []
    for index, item in enumerate(raw):
        loc = ["body", "inputs", index]
        if not isinstance(item, dict):
            raise ApiError(wire.validation_error(loc, "Input should be an entry object"))
        kind = item.get("type") or (
            "function.result" if "tool_call_id" in item else "message.input"
        )
        if kind == "message.input":
            if item.get("role") not in ("user", "assistant") or item.get("content") is None:
                raise ApiError(wire.validation_error(loc, "message.input needs role and content"))
            out.append(wire.message_input(item["content"], item["role"], bool(item.get("prefix"))))
        elif kind == "function.result":
            if not isinstance(item.get("tool_call_id"), str) or not isinstance(
                item.get("result"), str
            ):
                raise ApiError(
                    wire.validation_error(
                        loc, "function.result needs tool_call_id and result strings"
                    )
                )
            out.append(wire.function_result(item["tool_call_id"], item["result"]))
        else:
            raise ApiError(
                wire.validation_error(loc + ["type"], f"Unsupported input type {kind!r}")
            )
    return out


def pending_calls(history: list[Entry]) -> dict[str, str]:
    """Function calls (tool_call_id → name) that still wait for a result."""
    calls = {e["tool_call_id"]: e["name"] for e in history if e.get("type") == "function.call"}
    for entry in history:
        if entry.get("type") == "function.result":
            calls.pop(entry["tool_call_id"], None)
    return calls


def check_inputs(history: list[Entry], inputs: list[Entry]) -> None:
    """The API's rules: results only for known, unanswered calls; nothing else while any wait."""
    pending = pending_calls(history)
    answered = {e["tool_call_id"] for e in history if e.get("type") == "function.result"}
    results = [e["tool_call_id"] for e in inputs if e["type"] == "function.result"]
    if dup := [i for i in results if i in answered]:
        raise ApiError(wire.error(400, f"Function call {dup[0]} already has a result"))
    if unknown := [i for i in results if i not in pending]:
        raise ApiError(wire.error(400, f"unknown tool_call_id(s): {', '.join(unknown)}"))
    if pending:
        others = [e for e in inputs if e["type"] != "function.result"]
        missing = [i for i in pending if i not in results]
        if others or missing:
            raise ApiError(
                wire.error(
                    400,
                    "Cannot append other inputs while function results are still missing"
                    f" (missing: {', '.join(missing) or 'none'})",
                    code=3001,
                )
            )
