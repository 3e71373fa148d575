"""Graph health: errors that stop a graph from running, warnings about likely routing problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workspaces.validation import Errors


@dataclass(frozen=True)
class GraphNode:
    """What graph validation needs to know about one agent (built from rows or a document)."""

    id: str | None
    name: str
    description: str
    tools: list
    handoffs: list[str]  # target names
    config_errors: Errors


def _issue(node: GraphNode | None, code: str, message: str) -> dict[str, Any]:
    return {
        "agent": node.id if node else None,
        "agent_name": node.name if node else None,
        "code": code,
        "message": message,
    }


def _cycles(nodes: dict[str, GraphNode]) -> list[list[str]]:
    """Strongly connected components with more than one agent (Tarjan), each sorted by name."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(name: str) -> None:  # graphs here are tens of agents; recursion depth is fine
        nonlocal counter
        index[name] = low[name] = counter
        counter += 1
        stack.append(name)
        on_stack.add(name)
        for target in nodes[name].handoffs:
            if target not in nodes:
                continue
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for name in sorted(nodes):
        if name not in index:
            visit(name)
    return sorted(components)


# Tools only Mistral's servers run: the local runtime (chat completions) has none of them.
SERVER_TOOL_TYPES = frozenset({"web_search", "web_search_premium", "code_interpreter",
                               "image_generation", "document_library", "connector"})  # fmt: skip


def local_runtime_errors(nodes: list[GraphNode]) -> list[dict[str, Any]]:
    """A local graph runs on chat completions: built-in server tools cannot run there."""
    errors = []
    for node in nodes:
        server_tools = sorted(
            {str(t.get("type")) for t in node.tools if isinstance(t, dict)} & SERVER_TOOL_TYPES
        )
        if server_tools:
            errors.append(
                _issue(
                    node,
                    "server_tool_on_local_runtime",
                    f"{node.name} uses {', '.join(server_tools)}, which only Mistral's "
                    "Conversations API runs; the local runtime (chat completions) cannot. Remove "
                    "the tool or run this graph on the conversations runtime.",
                )
            )
    return errors


def graph_report(
    nodes: list[GraphNode], entry_name: str | None, runtime: str = "conversations"
) -> dict[str, list[dict]]:
    """Errors stop a graph from running; warnings point at likely routing problems."""
    by_name = {node.name: node for node in nodes}
    errors: list[dict] = local_runtime_errors(nodes) if runtime == "local" else []
    warnings: list[dict] = []

    if entry_name is None or entry_name not in by_name:
        errors.append(_issue(None, "no_entry_agent", "The graph has no entry agent."))
    for node in nodes:
        for field, messages in sorted(node.config_errors.items()):
            errors.append(_issue(node, "invalid_agent", f"{field}: {' '.join(messages)}"))

    if entry_name in by_name:
        reachable = {entry_name}
        frontier = [entry_name]
        while frontier:
            for target in by_name[frontier.pop()].handoffs:
                if target in by_name and target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        for node in nodes:
            if node.name not in reachable:
                warnings.append(
                    _issue(node, "unreachable", f"{node.name} cannot be reached from {entry_name}.")
                )

    for component in _cycles(by_name):
        warnings.append(
            _issue(
                by_name[component[0]],
                "handoff_cycle",
                "These agents can hand off to each other in a loop: " + ", ".join(component) + ".",
            )
        )

    targets = {t for node in nodes for t in node.handoffs}
    for node in nodes:
        tool_types = {t.get("type") for t in node.tools if isinstance(t, dict)}
        if node.handoffs and tool_types & {"web_search", "web_search_premium"}:
            warnings.append(
                _issue(
                    node,
                    "web_search_with_handoffs",
                    "Mistral fails agents that have both web search and handoffs with "
                    '"Response failed during handoff orchestration"; move web search to its '
                    "own agent.",
                )
            )
        if node.name in targets and not node.description.strip():
            warnings.append(
                _issue(
                    node,
                    "handoff_target_without_description",
                    "Handoff targets are chosen by their description; give this agent one.",
                )
            )
        for tool in node.tools:
            if (
                isinstance(tool, dict)
                and tool.get("type") == "function"
                and isinstance(tool.get("function"), dict)
                and not str(tool["function"].get("description") or "").strip()
            ):
                warnings.append(
                    _issue(
                        node,
                        "function_without_description",
                        f"The function {tool['function'].get('name')} has no description; the "
                        "model decides when to call it from the description.",
                    )
                )
    return {"errors": errors, "warnings": warnings}
