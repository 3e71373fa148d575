"""Scenario files: scripted replies for an agent and an input pattern.

A scenario file (`sandbox/scenarios/*.yaml|*.yml|*.json`, plus any directory listed in the
setting or environment variable `SANDBOX_SCENARIO_DIRS`) holds a list of scenarios, or
`{"scenarios": [...]}`:

    - name: example-a
      agent: finance-agent            # the active agent's name when the user's message arrives
      input: "US bank interest rate"  # regular expression, searched case-insensitively
      turns:                          # one list of outputs per turn; `outputs:` = a single turn
        - - {type: agent.handoff, to: websearch-agent}
          - {type: message.output, content: "..."}

See sandbox/README.md for every output type. Files are re-read when they change.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

BUILTIN_DIR = Path(__file__).resolve().parent / "scenarios"
OUTPUT_TYPES = {"agent.handoff", "message.output", "tool.execution", "function.call"}


class ScenarioError(ValueError):
    """A scenario file that cannot be used (bad YAML, unknown output type, bad regex)."""


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str
    agent: str
    pattern: re.Pattern[str]
    turns: tuple[tuple[dict[str, Any], ...], ...]


_cache: dict[Path, tuple[float, list[Scenario]]] = {}


def scenario_dirs() -> list[Path]:
    """The built-in directory, then the setting `SANDBOX_SCENARIO_DIRS` (a list), else the
    environment variable of that name (directories separated by the OS path separator)."""
    extra = getattr(settings, "SANDBOX_SCENARIO_DIRS", None)
    if extra is None:
        extra = [d for d in os.environ.get("SANDBOX_SCENARIO_DIRS", "").split(os.pathsep) if d]
    return [BUILTIN_DIR, *(Path(d) for d in extra)]


def _parse(path: Path) -> list[Scenario]:
    raw = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path.name}: {exc}") from exc
    items = doc.get("scenarios", []) if isinstance(doc, dict) else doc or []
    out: list[Scenario] = []
    for index, item in enumerate(items):
        where = f"{path.name}[{index}]"
        if not isinstance(item, dict) or "agent" not in item or "input" not in item:
            raise ScenarioError(f"{where}: needs `agent` and `input`")
        turns = item.get("turns") or [item.get("outputs") or []]
        for turn in turns:
            for output in turn:
                if not isinstance(output, dict) or output.get("type") not in OUTPUT_TYPES:
                    raise ScenarioError(f"{where}: unknown output {output!r}")
        try:
            pattern = re.compile(str(item["input"]), re.IGNORECASE | re.DOTALL)
        except re.error as exc:
            raise ScenarioError(f"{where}: bad input pattern: {exc}") from exc
        out.append(
            Scenario(
                key=f"{path.name}#{index}",
                name=str(item.get("name") or f"{path.stem}-{index}"),
                agent=str(item["agent"]),
                pattern=pattern,
                turns=tuple(tuple(turn) for turn in turns),
            )
        )
    return out


def load_scenarios() -> list[Scenario]:
    scenarios: list[Scenario] = []
    for directory in scenario_dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix not in (".yaml", ".yml", ".json"):
                continue
            mtime = path.stat().st_mtime
            cached = _cache.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, _parse(path))
                _cache[path] = cached
            scenarios.extend(cached[1])
    return scenarios


def match(agent_name: str, text: str) -> Scenario | None:
    """The first scenario for this agent whose pattern occurs in the user's message."""
    for scenario in load_scenarios():
        if scenario.agent == agent_name and scenario.pattern.search(text):
            return scenario
    return None


def by_key(key: str) -> Scenario | None:
    return next((s for s in load_scenarios() if s.key == key), None)
