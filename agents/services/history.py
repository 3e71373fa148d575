"""Agent versions and the audit rows of agent and graph changes."""

from __future__ import annotations

from typing import Any

from agents.models import Agent, AgentVersion, Graph, HandoffEdge
from audit.models import Action
from audit.services import audit_record, diff
from workspaces.services.common import User


def handoff_targets(agent: Agent) -> list[Agent]:
    return [
        edge.target
        for edge in HandoffEdge.objects.filter(source=agent)
        .select_related("target")
        .order_by("target__name")
    ]


def agent_snapshot(agent: Agent) -> dict[str, Any]:
    """The configuration a version records (position is layout, not configuration)."""
    targets = handoff_targets(agent)
    return {
        "name": agent.name,
        "description": agent.description,
        "instructions": agent.instructions,
        "model": agent.model,
        "tools": agent.tools,
        "completion_args": agent.completion_args,
        "handoffs": [str(t.id) for t in targets],
        # Names keep old versions readable after a target is renamed or deleted.
        "handoff_names": [t.name for t in targets],
    }


def record_version(agent: Agent, actor: User | None) -> AgentVersion | None:
    """Store a new numbered snapshot if the configuration differs from the latest one."""
    snapshot = agent_snapshot(agent)
    previous = AgentVersion.objects.filter(agent=agent).order_by("-number").first()
    if previous is not None and previous.snapshot == snapshot:
        return None
    if previous is None:
        changed = [k for k in snapshot if k != "handoff_names"]
    else:
        changed = [
            k for k in snapshot if k != "handoff_names" and previous.snapshot.get(k) != snapshot[k]
        ]
    return AgentVersion.objects.create(
        agent=agent,
        number=(previous.number + 1) if previous else 1,
        snapshot=snapshot,
        changed_fields=changed,
        author=actor,
    )


def agent_state(agent: Agent) -> dict[str, Any]:
    """What an audit row shows of an agent: its configuration, handoffs by id and name, place."""
    state = agent_snapshot(agent)
    state["position"] = {"x": agent.position_x, "y": agent.position_y}
    return state


def graph_state(graph: Graph) -> dict[str, Any]:
    return {
        "name": graph.name,
        "description": graph.description,
        "entry_agent": str(graph.entry_agent_id) if graph.entry_agent_id else None,
        "runtime": graph.runtime,
        "max_turns": graph.max_turns,
    }


def record_agent_change(
    *, actor: User, agent: Agent, before: dict[str, Any], action: str | None, extra: dict
) -> None:
    """One row per agent-changing call. Only handoffs changed → a handoff row (added, removed or
    both); anything else → `action` (default agent.update). Nothing changed and no explicit
    action (a no-op edit) → no row."""
    after = agent_state(agent)
    old, new = diff(before, after)
    old.pop("handoff_names", None)
    new.pop("handoff_names", None)
    if action is None:
        if not new and not old:
            return
        if set(new) | set(old) == {"handoffs"}:
            added = set(after["handoffs"]) - set(before["handoffs"])
            removed = set(before["handoffs"]) - set(after["handoffs"])
            action = (
                Action.HANDOFF_UPDATE
                if added and removed
                else Action.HANDOFF_CREATE
                if added
                else Action.HANDOFF_DELETE
            )
            old = {"handoffs": before["handoffs"], "handoff_names": before["handoff_names"]}
            new = {"handoffs": after["handoffs"], "handoff_names": after["handoff_names"]}
        else:
            action = Action.AGENT_UPDATE
    if "handoffs" in new or "handoffs" in old:
        old["handoff_names"] = before["handoff_names"]
        new["handoff_names"] = after["handoff_names"]
    audit_record(
        actor=actor,
        action=action,
        obj=agent,
        object_type="handoff" if action.startswith("handoff.") else "agent",
        workspace=agent.graph.workspace,
        before=old,
        after={**new, **extra},
    )
