"""The portable graph document: export a graph, and import one all-or-nothing.

Agents reference each other by name (ids are local to one database), so a document exported here
imports anywhere and exports again identically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from agents import selectors, validation
from agents.models import Agent, Graph, Runtime

FORMAT = "agentstudio.graph"
FORMAT_VERSION = 1
AGENT_KEYS = frozenset({*validation.AGENT_CONFIG_FIELDS, "handoffs", "position"})
DOCUMENT_KEYS = frozenset(
    {"format", "version", "name", "description", "runtime", "max_turns", "entry_agent", "agents"}
)
MAX_TURNS_LIMIT = 100


@dataclass(frozen=True)
class Section:
    """A part of the document owned by an app above this one (orchestrations): it registers how
    to export, check and load its key, so this module imports nothing of it. A section is
    exported only when it has content, so graphs without one export as before."""

    key: str
    export: Callable[[Graph], Any]
    errors: Callable[[Any, list[str], str], dict[str, list[str]]]  # value, agent names, path
    load: Callable[..., None]  # (graph, value, actor), after the agents exist


SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    SECTIONS[section.key] = section


@dataclass(frozen=True)
class AgentSection:
    """A key of each agent owned by an app above this one (conversations: the agent's tool
    policy and MCP servers), registered like a `Section`; exported only when it has content.
    `errors(value, path, actor=…, workspace=…, agent=…)` may check the actor's role (`actor`
    None: no actor to check); `agent` is the agent a save changes, None for a new one.
    `load(agent, value, actor)` runs inside the import's or save's transaction and says
    whether it changed anything."""

    key: str
    export: Callable[[Agent], Any]
    errors: Callable[..., dict[str, list[str]]]
    load: Callable[[Agent, Any, Any], bool]


AGENT_SECTIONS: dict[str, AgentSection] = {}


def register_agent_section(section: AgentSection) -> None:
    AGENT_SECTIONS[section.key] = section


def _agent_export(agent: Agent, names: dict) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": agent.name,
        "description": agent.description,
        "instructions": agent.instructions,
        "model": agent.model,
        "tools": agent.tools,
        "completion_args": agent.completion_args,
        "handoffs": sorted(names[e.target_id] for e in agent.outgoing_edges.all()),
        "position": {"x": agent.position_x, "y": agent.position_y},
    }
    for key, section in AGENT_SECTIONS.items():
        value = section.export(agent)
        if value:
            item[key] = value
    return item


def graph_export(graph: Graph) -> dict[str, Any]:
    agents = list(selectors.agents_of_graph(graph))
    names = {agent.id: agent.name for agent in agents}
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": graph.name,
        "description": graph.description,
        "runtime": graph.runtime,
        "max_turns": graph.max_turns,
        "entry_agent": names.get(graph.entry_agent_id),
        "agents": [_agent_export(agent, names) for agent in agents],
    }
    for key, section in SECTIONS.items():
        value = section.export(graph)
        if value:
            document[key] = value
    return document


def _prefix(errors: dict[str, list[str]], prefix: str) -> dict[str, list[str]]:
    return {f"{prefix}.{field}": messages for field, messages in errors.items()}


def _size_error(agents: list) -> str | None:
    """The import limits (settings GRAPH_MAX_AGENTS, GRAPH_MAX_HANDOFFS), checked before any
    per-agent work so an oversized document costs nothing."""
    if len(agents) > settings.GRAPH_MAX_AGENTS:
        return f"At most {settings.GRAPH_MAX_AGENTS} agents."
    handoffs = sum(
        len(a["handoffs"])
        for a in agents
        if isinstance(a, dict) and isinstance(a.get("handoffs"), list)
    )
    if handoffs > settings.GRAPH_MAX_HANDOFFS:
        return f"At most {settings.GRAPH_MAX_HANDOFFS} handoffs in all."
    return None


def runtime_errors(document: dict, field: str) -> dict[str, list[str]]:
    """The graph's default runtime and the local runtime's max_turns (each optional)."""
    errors: dict[str, list[str]] = {}
    if "runtime" in document and document["runtime"] not in Runtime.values:
        errors[f"{field}.runtime"] = [f"Choose one of: {', '.join(Runtime.values)}."]
    turns = document.get("max_turns")
    if turns is not None and (
        isinstance(turns, bool) or not isinstance(turns, int) or not 1 <= turns <= MAX_TURNS_LIMIT
    ):
        errors[f"{field}.max_turns"] = [f"A whole number from 1 to {MAX_TURNS_LIMIT}, or null."]
    return errors


def document_errors(
    document: Any,
    *,
    field: str = "document",
    actor: Any = None,
    workspace: Any = None,
    existing: dict[int, Agent] | None = None,
) -> dict[str, list[str]]:
    """Everything wrong with a document, each at its path (`document.agents[2].tools[0]`).
    `actor` and `workspace` let the agent sections check roles; `existing` maps an agent's
    index to the agent a save changes."""
    errors: dict[str, list[str]] = {}
    if not isinstance(document, dict):
        return {field: ["Must be a graph document (a JSON object)."]}
    # Agents' tools may nest a few levels below the document; anything deeper is hostile.
    if (
        validation.json_depth(document, validation.MAX_JSON_DEPTH + 4)
        > validation.MAX_JSON_DEPTH + 4
    ):
        return {field: ["Nested too deeply."]}
    for key in sorted(set(document) - DOCUMENT_KEYS - set(SECTIONS)):
        errors[f"{field}.{key}"] = ["Unknown key."]
    if document.get("format", FORMAT) != FORMAT:
        errors[f"{field}.format"] = [f"Must be {FORMAT!r}."]
    if document.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        errors[f"{field}.version"] = [f"Only version {FORMAT_VERSION} is supported."]
    errors.update(validation.name_errors(document.get("name"), field=f"{field}.name"))
    errors.update(runtime_errors(document, field))
    errors.update(
        _prefix(
            validation.agent_config_errors({"description": document.get("description", "")}),
            field,
        )
    )
    agents = document.get("agents")
    if not isinstance(agents, list):
        errors[f"{field}.agents"] = ["Must be a list of agents."]
        return errors
    if problem := _size_error(agents):
        errors[f"{field}.agents"] = [problem]
        return errors
    names: list[str] = [a.get("name") for a in agents if isinstance(a, dict)]
    seen: set[str] = set()
    for index, agent in enumerate(agents):
        path = f"{field}.agents[{index}]"
        if not isinstance(agent, dict):
            errors[path] = ["Must be an agent object."]
            continue
        for key in sorted(set(agent) - AGENT_KEYS - set(AGENT_SECTIONS)):
            errors[f"{path}.{key}"] = ["Unknown key."]
        for key, agent_section in AGENT_SECTIONS.items():
            if key in agent:
                errors.update(
                    agent_section.errors(
                        agent[key],
                        f"{path}.{key}",
                        actor=actor,
                        workspace=workspace,
                        agent=(existing or {}).get(index),
                    )
                )
        config = {k: agent[k] for k in validation.AGENT_CONFIG_FIELDS if k in agent}
        config.setdefault("name", None)
        errors.update(_prefix(validation.agent_config_errors(config), path))
        name = agent.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.setdefault(f"{path}.name", []).append("Another agent has this name.")
            seen.add(name)
        position = agent.get("position", {"x": 0, "y": 0})
        if not isinstance(position, dict) or set(position) - {"x", "y"}:
            errors[f"{path}.position"] = ['Must be {"x": <number>, "y": <number>}.']
        else:
            for axis in ("x", "y"):
                errors.update(
                    validation.position_errors(
                        position.get(axis, 0), field=f"{path}.position.{axis}"
                    )
                )
        handoffs = agent.get("handoffs", [])
        if not isinstance(handoffs, list) or not all(isinstance(h, str) for h in handoffs):
            errors[f"{path}.handoffs"] = ["Must be a list of agent names."]
        else:
            errors.update(
                validation.handoff_errors(
                    source_id=name,
                    target_ids=handoffs,
                    graph_agent_ids=names,
                    field=f"{path}.handoffs",
                )
            )
    entry = document.get("entry_agent")
    if entry is not None and entry not in names:
        errors[f"{field}.entry_agent"] = ["Must be the name of an agent in the document."]
    for key, section in SECTIONS.items():
        if key in document:
            valid_names = [name for name in names if isinstance(name, str)]
            errors.update(section.errors(document[key], valid_names, f"{field}.{key}"))
    return errors
