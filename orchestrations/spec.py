"""The orchestration spec: a tree of steps over a graph's agents, and the one validator for it.

A step is a JSON object with exactly one kind key (`agent`, `sequence`, `route`, `parallel`,
`compete`, `delegate`, `recurse`) and, on any kind, `id`, `retry`, `timeout_s` and `fallback`.
Errors come back as `{"spec.parallel[1].agent": ["…"]}`, the path of the bad node, so the API's
400 and the builder point at the exact place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

Errors = dict[str, list[str]]

KINDS = ("agent", "sequence", "route", "parallel", "compete", "delegate", "recurse")
COMMON_KEYS = frozenset({"id", "retry", "timeout_s", "fallback"})
KIND_KEYS = {
    "agent": frozenset({"agent", "input", "metadata"}),
    "sequence": frozenset({"sequence"}),
    "route": frozenset({"route", "routes", "default"}),
    "parallel": frozenset({"parallel", "merge"}),
    "compete": frozenset({"compete", "judge"}),
    "delegate": frozenset({"delegate", "workers", "synthesize", "max_subtasks"}),
    "recurse": frozenset({"recurse", "execute", "max_depth", "max_subtasks"}),
}
# Limits: a spec is written by a person; anything beyond these is a mistake or hostile.
MAX_SPEC_CHARS = 64_000
MAX_NESTING = 8  # steps inside steps
MAX_STEPS = 60  # steps written in the spec
MAX_BRANCHES = 10
MAX_SUBTASKS = 10  # delegate's max_subtasks, and recurse's per level
MAX_RECURSE_DEPTH = 4
MAX_ATTEMPTS = 10
MAX_BACKOFF_S = 600
MAX_TIMEOUT_S = 86_400
MAX_TEMPLATE_CHARS = 10_000
MAX_METADATA_CHARS = 2_000
DEFAULT_MAX_SUBTASKS = 5
DEFAULT_MAX_DEPTH = 2
# At run time a delegate or recurse grows the tree; the run fails rather than grow past this.
MAX_RUN_STEPS = 300

ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,39}$")
LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
WORKER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]{0,39}$")
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


def kind_of(node: dict[str, Any]) -> str:
    """The node's kind (validated specs have exactly one)."""
    return next(kind for kind in KINDS if kind in node)


def children(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The nodes written inside this one, with their paths (fallback included)."""
    kind = kind_of(node)
    if kind in ("sequence", "parallel", "compete"):
        for index, child in enumerate(node[kind]):
            yield f"{path}.{kind}[{index}]", child
    for key in ("route", "delegate", "recurse", "execute", "merge", "judge", "synthesize"):
        if isinstance(node.get(key), dict):
            yield f"{path}.{key}", node[key]
    for key in ("routes", "workers"):
        for name, child in (node.get(key) or {}).items():
            yield f"{path}.{key}.{name}", child
    if isinstance(node.get("default"), dict):
        yield f"{path}.default", node["default"]
    if isinstance(node.get("fallback"), dict):
        yield f"{path}.fallback", node["fallback"]


def agent_names(spec: dict[str, Any]) -> set[str]:
    """Every agent a valid spec names."""
    found: set[str] = set()
    stack = [("spec", spec)]
    while stack:
        path, node = stack.pop()
        if "agent" in node:
            found.add(node["agent"])
        stack.extend(children(node, path))
    return found


def normalise_label(label: str) -> str:
    return label.strip().upper()


class _Checker:
    def __init__(self, agents: set[str]) -> None:
        self.agents = agents
        self.errors: Errors = {}
        self.count = 0
        self.ids: dict[str, str] = {}  # id → path of the step that has it
        self.templates: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def step(self, node: Any, path: str, depth: int) -> None:
        if not isinstance(node, dict):
            self.add(path, "Must be a step (a JSON object).")
            return
        if depth > MAX_NESTING:
            self.add(path, f"Nested too deeply: steps may be at most {MAX_NESTING} levels deep.")
            return
        kinds = [kind for kind in KINDS if kind in node]
        if len(kinds) != 1:
            self.add(
                path,
                "A step has exactly one of: " + ", ".join(KINDS) + "."
                if kinds
                else "Say what the step is: one of " + ", ".join(KINDS) + ".",
            )
            return
        self.count += 1
        kind = kinds[0]
        for key in sorted(set(node) - KIND_KEYS[kind] - COMMON_KEYS):
            self.add(f"{path}.{key}", "Unknown key.")
        self._common(node, path, depth)
        getattr(self, f"_{kind}")(node, path, depth)

    # -- keys every step may have

    def _common(self, node: dict, path: str, depth: int) -> None:
        if "id" in node:
            step_id = node["id"]
            if not isinstance(step_id, str) or not ID_RE.match(step_id):
                self.add(f"{path}.id", "Letters, digits, _ and -, starting with a letter (≤ 40).")
            elif step_id in self.ids:
                self.add(f"{path}.id", f"Another step ({self.ids[step_id]}) has this id.")
            else:
                self.ids[step_id] = path
        if "retry" in node:
            retry = node["retry"]
            if not isinstance(retry, dict) or set(retry) - {"attempts", "backoff_s"}:
                self.add(f"{path}.retry", 'Must be {"attempts": <n>, "backoff_s": <seconds>}.')
            else:
                self._int(retry.get("attempts", 1), f"{path}.retry.attempts", 1, MAX_ATTEMPTS)
                self._number(retry.get("backoff_s", 0), f"{path}.retry.backoff_s", 0, MAX_BACKOFF_S)
        if "timeout_s" in node:
            self._number(node["timeout_s"], f"{path}.timeout_s", 1, MAX_TIMEOUT_S)
        if "fallback" in node:
            self.step(node["fallback"], f"{path}.fallback", depth + 1)

    def _int(self, value: Any, path: str, low: int, high: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(path, f"Must be a whole number from {low} to {high}.")

    def _number(self, value: Any, path: str, low: float, high: float) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            self.add(path, f"Must be a number from {low} to {high}.")

    def _steps(self, value: Any, path: str, depth: int, *, at_least: int = 1) -> None:
        if not isinstance(value, list):
            self.add(path, "Must be a list of steps.")
        elif len(value) < at_least:
            self.add(path, f"Add at least {at_least} step{'s' if at_least > 1 else ''}.")
        elif len(value) > MAX_BRANCHES:
            self.add(path, f"At most {MAX_BRANCHES} steps here.")
        else:
            for index, child in enumerate(value):
                self.step(child, f"{path}[{index}]", depth + 1)

    def _named(self, value: Any, path: str, depth: int, pattern: re.Pattern, what: str) -> None:
        if not isinstance(value, dict) or not value:
            self.add(path, f"Name at least one {what}.")
            return
        if len(value) > MAX_BRANCHES:
            self.add(path, f"At most {MAX_BRANCHES} {what}s.")
            return
        seen: set[str] = set()
        for name, child in value.items():
            if not pattern.match(name):
                self.add(f"{path}.{name}", f"A {what} is letters, digits, _ and - (≤ 40).")
                continue
            if normalise_label(name) in seen:
                self.add(f"{path}.{name}", f"Another {what} has this name.")
            seen.add(normalise_label(name))
            self.step(child, f"{path}.{name}", depth + 1)

    def _required(self, node: dict, key: str, path: str, depth: int, what: str) -> None:
        if key not in node:
            self.add(f"{path}.{key}", f"Add the {what} step.")
        else:
            self.step(node[key], f"{path}.{key}", depth + 1)

    # -- the kinds

    def _agent(self, node: dict, path: str, depth: int) -> None:
        name = node["agent"]
        if not isinstance(name, str) or not name:
            self.add(f"{path}.agent", "Must be the name of an agent of this graph.")
        elif name not in self.agents:
            self.add(f"{path}.agent", f"Unknown agent {name[:100]!r}: not an agent of this graph.")
        if "input" in node:
            template = node["input"]
            if not isinstance(template, str) or len(template) > MAX_TEMPLATE_CHARS:
                self.add(f"{path}.input", f"Must be text of at most {MAX_TEMPLATE_CHARS} chars.")
            else:
                self.templates.append((f"{path}.input", template))
        if "metadata" in node:
            metadata = node["metadata"]
            if not isinstance(metadata, dict) or len(json.dumps(metadata)) > MAX_METADATA_CHARS:
                self.add(f"{path}.metadata", f"Must be an object under {MAX_METADATA_CHARS} chars.")

    def _sequence(self, node: dict, path: str, depth: int) -> None:
        self._steps(node["sequence"], f"{path}.sequence", depth)

    def _route(self, node: dict, path: str, depth: int) -> None:
        self.step(node["route"], f"{path}.route", depth + 1)
        if "routes" not in node or not node["routes"]:
            self.add(f"{path}.routes", "A route needs at least one label and its step.")
        else:
            self._named(node["routes"], f"{path}.routes", depth, LABEL_RE, "label")
        if "default" in node:
            self.step(node["default"], f"{path}.default", depth + 1)

    def _parallel(self, node: dict, path: str, depth: int) -> None:
        self._steps(node["parallel"], f"{path}.parallel", depth)
        if "merge" in node:
            self.step(node["merge"], f"{path}.merge", depth + 1)

    def _compete(self, node: dict, path: str, depth: int) -> None:
        self._steps(node["compete"], f"{path}.compete", depth, at_least=2)
        self._required(node, "judge", path, depth, "judge")

    def _delegate(self, node: dict, path: str, depth: int) -> None:
        self.step(node["delegate"], f"{path}.delegate", depth + 1)
        self._named(node.get("workers"), f"{path}.workers", depth, WORKER_RE, "worker")
        if "synthesize" in node:
            self.step(node["synthesize"], f"{path}.synthesize", depth + 1)
        if "max_subtasks" in node:
            self._int(node["max_subtasks"], f"{path}.max_subtasks", 1, MAX_SUBTASKS)

    def _recurse(self, node: dict, path: str, depth: int) -> None:
        self.step(node["recurse"], f"{path}.recurse", depth + 1)
        self._required(node, "execute", path, depth, "execute")
        if "max_depth" in node:
            self._int(node["max_depth"], f"{path}.max_depth", 1, MAX_RECURSE_DEPTH)
        if "max_subtasks" in node:
            self._int(node["max_subtasks"], f"{path}.max_subtasks", 1, MAX_SUBTASKS)

    def check_templates(self) -> None:
        for path, template in self.templates:
            for name in PLACEHOLDER_RE.findall(template):
                if name in ("input", "previous"):
                    continue
                if name.startswith("steps.") and name[6:] in self.ids:
                    continue
                if name.startswith("steps."):
                    self.add(path, f"{{{name}}}: no step has the id {name[6:]!r}.")
                else:
                    self.add(path, f"{{{name}}}: use {{input}}, {{previous}} or {{steps.<id>}}.")


def spec_errors(spec: Any, agents: set[str] | list[str], *, field: str = "spec") -> Errors:
    """Everything wrong with a spec for a graph whose agents have these names."""
    try:
        size = len(json.dumps(spec))
    except (TypeError, ValueError):
        return {field: ["Must be JSON."]}
    if size > MAX_SPEC_CHARS:
        return {field: [f"At most {MAX_SPEC_CHARS} characters of JSON."]}
    if not _shallow_enough(spec, MAX_NESTING * 3 + 6):
        return {field: ["Nested too deeply."]}
    checker = _Checker(set(agents))
    checker.step(spec, field, 1)
    if checker.count > MAX_STEPS:
        checker.add(field, f"At most {MAX_STEPS} steps (this spec has {checker.count}).")
    checker.check_templates()
    return checker.errors


def _shallow_enough(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True
