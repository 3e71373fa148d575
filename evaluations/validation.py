"""Checking suite cases before they are saved: every problem names the case and the field
(`cases[2].expect.path`), and nothing is saved while one remains."""

from __future__ import annotations

import re
from typing import Any

MAX_CASES = 200
MAX_TEXT = 100_000
PATH_MATCHES = ("exact", "ordered")


class CaseErrors(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _regex_problem(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression {pattern!r}: {exc}"
    return ""


def _check_arguments(arguments: Any, where: str, name: str, errors) -> None:
    if not isinstance(arguments, dict):
        errors[where] = [f"Case {name!r}: arguments must be an object."]
        return
    for key, value in arguments.items():
        if isinstance(value, dict) and "regex" in value:
            problem = _regex_problem(str(value["regex"]))
            if problem:
                errors[f"{where}.{key}"] = [f"Case {name!r}: {problem}."]


def clean_case(raw: Any, index: int, agent_names: set[str], errors: dict) -> dict[str, Any]:
    at = f"cases[{index}]"
    if not isinstance(raw, dict):
        errors[at] = ["Each case must be an object."]
        return {}
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors[f"{at}.name"] = ["Give each case a name (at most 200 characters)."]
        name = f"#{index + 1}"
    label = name
    inputs = raw.get("inputs")
    if isinstance(inputs, list) and len(inputs) == 1 and isinstance(inputs[0], dict):
        inputs = inputs[0].get("content")
    if not isinstance(inputs, str) or not inputs.strip() or len(inputs) > MAX_TEXT:
        errors[f"{at}.inputs"] = [f"Case {label!r}: write the user's message."]
    answers = raw.get("answers") or {}
    if not isinstance(answers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in answers.items()
    ):
        errors[f"{at}.answers"] = [f"Case {label!r}: answers map a function name to a string."]
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        errors[f"{at}.expect"] = [f"Case {label!r}: expect must be an object."]
        expect = {}
    unknown_keys = set(expect) - {
        "path",
        "path_match",
        "function_calls",
        "output_contains",
        "output_regex",
    }
    if unknown_keys:
        errors[f"{at}.expect"] = [f"Case {label!r}: unknown fields {sorted(unknown_keys)}."]
    path = expect.get("path", [])
    if not _strings(path):
        errors[f"{at}.expect.path"] = [f"Case {label!r}: the path is a list of agent names."]
    else:
        missing = [p for p in path if p not in agent_names]
        if missing:
            errors[f"{at}.expect.path"] = [
                f"Case {label!r}: unknown agent {', '.join(map(repr, missing))} in this graph."
            ]
    if expect.get("path_match", "exact") not in PATH_MATCHES:
        errors[f"{at}.expect.path_match"] = [f"Case {label!r}: exact or ordered."]
    calls = expect.get("function_calls", [])
    if not isinstance(calls, list):
        errors[f"{at}.expect.function_calls"] = [f"Case {label!r}: a list of calls."]
        calls = []
    for i, call in enumerate(calls):
        where = f"{at}.expect.function_calls[{i}]"
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            errors[where] = [f"Case {label!r}: each call needs a function name."]
            continue
        _check_arguments(call.get("arguments", {}), f"{where}.arguments", label, errors)
    for field in ("output_contains", "output_regex"):
        if not _strings(expect.get(field, [])):
            errors[f"{at}.expect.{field}"] = [f"Case {label!r}: a list of strings."]
    if _strings(expect.get("output_regex", [])):
        for pattern in expect.get("output_regex", []):
            problem = _regex_problem(pattern)
            if problem:
                errors[f"{at}.expect.output_regex"] = [f"Case {label!r}: {problem}."]
    return {
        "name": name,
        "inputs": inputs if isinstance(inputs, str) else "",
        "answers": answers if isinstance(answers, dict) else {},
        "expect": {
            "path": path if _strings(path) else [],
            "path_match": expect.get("path_match", "exact"),
            "function_calls": [
                {"name": c["name"], "arguments": c.get("arguments") or {}}
                for c in calls
                if isinstance(c, dict) and isinstance(c.get("name"), str)
            ],
            "output_contains": expect.get("output_contains", []),
            "output_regex": expect.get("output_regex", []),
        },
    }


def clean_cases(raw: Any, agent_names: set[str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise CaseErrors({"cases": ["Give at least one case."]})
    if len(raw) > MAX_CASES:
        raise CaseErrors({"cases": [f"At most {MAX_CASES} cases in a suite."]})
    errors: dict[str, list[str]] = {}
    cases = [clean_case(item, i, agent_names, errors) for i, item in enumerate(raw)]
    seen: set[str] = set()
    for i, case in enumerate(cases):
        if case.get("name") in seen:
            errors[f"cases[{i}].name"] = [f"Case {case['name']!r}: names must be unique."]
        seen.add(case.get("name"))
    if errors:
        raise CaseErrors(errors)
    return cases
