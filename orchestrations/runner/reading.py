"""What the program reads out of an agent's reply, and the framing it writes into a prompt.

In the guide's patterns the program decides what runs next from a reply: a classifier's label, a
judge's winner, a manager's subtasks, a decomposer's verdict. Each reader accepts the structured
answer (JSON) first and falls back to the plain-text forms the guide shows.
"""

from __future__ import annotations

import json
import re
from typing import Any

from orchestrations.spec import PLACEHOLDER_RE, normalise_label

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.+?)\s*$")


def render(template: str, *, run_input: str, previous: str, steps: dict[str, str]) -> str:
    """`{input}`, `{previous}` and `{steps.<id>}` filled in; anything else is left as written."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == "input":
            return run_input
        if name == "previous":
            return previous
        if name.startswith("steps.") and name[6:] in steps:
            return steps[name[6:]]
        return match.group(0)

    return PLACEHOLDER_RE.sub(fill, template)


def json_object(text: str) -> dict[str, Any] | None:
    """The reply as a JSON object, tolerating a code fence or prose around it."""
    cleaned = _FENCE.sub("", text.strip())
    candidates = [cleaned]
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if 0 <= start < end:
        candidates.append(cleaned[start : end + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def route_label(reply: str, labels: list[str]) -> str | None:
    """The label a classifier answered: the reply normalised ("research." → RESEARCH), else the
    first label named in it, else a JSON `{"label": …}`."""
    by_normal = {normalise_label(label): label for label in labels}
    data = json_object(reply)
    if data:
        for key in ("label", "category", "classification", "route"):
            if isinstance(data.get(key), str) and normalise_label(data[key]) in by_normal:
                return by_normal[normalise_label(data[key])]
    words = re.findall(r"[A-Za-z0-9_-]+", reply.upper())
    if len(words) == 1 and words[0] in by_normal:
        return by_normal[words[0]]
    for word in words:
        if word in by_normal:
            return by_normal[word]
    return None


def candidates_prompt(request: str, candidates: list[tuple[str, str]]) -> str:
    blocks = "\n\n".join(
        f"CANDIDATE {index} ({name}):\n{text}" for index, (name, text) in enumerate(candidates, 1)
    )
    return (
        f"Evaluate these competing candidates for: {request}\n\n{blocks}\n\n"
        'Name the winner as JSON: {"winner": <candidate number>, "rationale": "<why>"}'
    )


def judge_winner(reply: str, names: list[str]) -> int | None:
    """The winning candidate's index (0-based): `{"winner": 2}` or `{"winner": "<name>"}`, else
    "WINNER: 2" / "candidate 2" in the text."""
    data = json_object(reply)
    if data and "winner" in data:
        winner = data["winner"]
        if isinstance(winner, int) and not isinstance(winner, bool) and 1 <= winner <= len(names):
            return winner - 1
        if isinstance(winner, str):
            if winner.strip().isdigit() and 1 <= int(winner) <= len(names):
                return int(winner) - 1
            lowered = [name.lower() for name in names]
            if winner.strip().lower() in lowered:
                return lowered.index(winner.strip().lower())
    match = re.search(r"(?:winner|candidate)\D{0,12}(\d+)", reply, re.IGNORECASE)
    if match and 1 <= int(match.group(1)) <= len(names):
        return int(match.group(1)) - 1
    return None


def manager_prompt(request: str, workers: list[str], max_subtasks: int) -> str:
    return (
        f"User request: {request}\n\nAvailable workers: {', '.join(workers)}.\n"
        f"Break the request into at most {max_subtasks} subtasks, each assigned to one worker. "
        'Reply with JSON only: {"subtasks": [{"worker": "<worker>", "task": "<task>"}]}'
    )


def worker_key(name: str, workers: list[str]) -> str | None:
    """The spec's worker for a name the manager wrote ("Code Worker" → code)."""
    wanted = name.strip().lower()
    lowered = {worker.lower(): worker for worker in workers}
    if wanted in lowered:
        return lowered[wanted]
    first = wanted.split(" ")[0] if wanted else ""
    if first in lowered:
        return lowered[first]
    for key, worker in lowered.items():
        if key in wanted.split():
            return worker
    return None


def subtasks(reply: str) -> list[tuple[str, str]]:
    """[(worker name, task)] from `{"subtasks": [{"worker", "task"}]}` or "- worker: task" lines."""
    data = json_object(reply)
    found: list[tuple[str, str]] = []
    if data and isinstance(data.get("subtasks"), list):
        for item in data["subtasks"]:
            if isinstance(item, dict) and isinstance(item.get("worker"), str):
                found.append((item["worker"], str(item.get("task") or "")))
        return found
    for line in reply.splitlines():
        match = _ITEM.match(line)
        if match and ":" in match.group(1):
            worker, task = match.group(1).split(":", 1)
            found.append((worker.strip(), task.strip()))
    return found


def results_prompt(request: str, results: list[tuple[str, str, str]]) -> str:
    blocks = "\n\n".join(
        f"SUBTASK {index} ({worker}): {task}\nRESULT:\n{output}"
        for index, (worker, task, output) in enumerate(results, 1)
    )
    return f"Synthesize the workers' results into one answer to: {request}\n\n{blocks}"


def branches_prompt(branches: list[tuple[str, str]]) -> str:
    blocks = "\n\n".join(
        f"BRANCH {index} ({name}) FINDINGS:\n{text}"
        for index, (name, text) in enumerate(branches, 1)
    )
    return f"Synthesize these parallel findings:\n\n{blocks}\n\nCreate a unified report."


def decomposition(reply: str) -> list[str] | None:
    """None when the decomposer marks the task executable, else its subtasks (possibly [])."""
    data = json_object(reply)
    if data and isinstance(data.get("action"), str):
        if data["action"].strip().upper().startswith("EXEC"):
            return None
        items = data.get("subtasks")
        return [str(item) for item in items] if isinstance(items, list) else []
    upper = reply.upper()
    if "ACTION: EXECUTE" in upper or (
        "COMPLEXITY: SIMPLE" in upper and "ACTION: DECOMPOSE" not in upper
    ):
        return None
    if "DECOMPOSE" not in upper and "COMPLEXITY: COMPLEX" not in upper:
        return None
    tail = reply[upper.find("SUBTASKS:") + len("SUBTASKS:") :] if "SUBTASKS:" in upper else ""
    return [m.group(1) for line in tail.splitlines() if (m := _ITEM.match(line))]


def parts_output(parts: list[tuple[str, str]]) -> str:
    return "\n\n".join(
        f"PART {index}: {task}\n{text}" for index, (task, text) in enumerate(parts, 1)
    )
