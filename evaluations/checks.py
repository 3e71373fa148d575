"""Judging a finished conversation against a case's expectations: the agent path taken, the
function calls made, the output text. Pure functions over plain data."""

from __future__ import annotations

import json
import re
from typing import Any


def is_subsequence(expected: list[str], path: list[str]) -> bool:
    walk = iter(path)
    return all(any(step == name for step in walk) for name in expected)


def _argument_ok(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict) and "regex" in expected:
        return actual is not None and re.search(str(expected["regex"]), str(actual)) is not None
    if isinstance(expected, dict) and "contains" in expected:
        return str(expected["contains"]).lower() in str(actual).lower()
    return expected == actual


def _parse(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, dict):
        return arguments
    try:
        parsed = json.loads(arguments or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def judge(expect: dict[str, Any], path: list[str], calls: list[dict], output: str) -> list[str]:
    """Why the run does not meet `expect` (an empty list: it passes)."""
    failures = []
    wanted = expect.get("path") or []
    if wanted:
        if expect.get("path_match", "exact") == "ordered":
            if not is_subsequence(wanted, path):
                failures.append(
                    f"path: expected {' → '.join(wanted)} in this order within "
                    f"{' → '.join(path) or '(none)'}"
                )
        elif path != wanted:
            failures.append(f"path: expected {' → '.join(wanted)}, took {' → '.join(path)}")
    for call in expect.get("function_calls") or []:
        same_name = [c for c in calls if c["name"] == call["name"]]
        if not same_name:
            failures.append(f"function_calls: {call['name']} was not called")
            continue
        arguments = call.get("arguments") or {}
        if not any(
            all(_argument_ok(v, _parse(c["arguments"]).get(k)) for k, v in arguments.items())
            for c in same_name
        ):
            got = "; ".join(json.dumps(_parse(c["arguments"]), sort_keys=True) for c in same_name)
            failures.append(
                f"function_calls: {call['name']} was called with {got}, expected "
                f"{json.dumps(arguments, sort_keys=True)}"
            )
    for text in expect.get("output_contains") or []:
        if text.lower() not in output.lower():
            failures.append(f"output_contains: {text!r} is not in the output")
    for pattern in expect.get("output_regex") or []:
        if re.search(pattern, output) is None:
            failures.append(f"output_regex: {pattern!r} does not match the output")
    return failures
