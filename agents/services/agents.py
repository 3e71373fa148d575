"""Agents and their handoff edges: create, change, delete, restore an older version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from agents import validation
from agents.models import DEFAULT_MODEL, Agent, AgentVersion, Graph, HandoffEdge
from agents.services.common import bump_revision, lock_graph
from agents.services.history import agent_state, record_agent_change, record_version
from audit.models import Action
from audit.services import audit_record
from workspaces.exceptions import DomainValidationError
from workspaces.services.common import User, raise_if


def _name_taken(graph: Graph, name: str, exclude: Agent | None = None) -> bool:
    queryset = Agent.objects.filter(graph=graph, name=name)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.exists()


def _parse_ids(values: Any, field: str) -> list[uuid.UUID]:
    if not isinstance(values, list | tuple):
        raise DomainValidationError({field: ["Must be a list of agent ids."]})
    ids: list[uuid.UUID] = []
    for value in values:
        try:
            ids.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except (ValueError, TypeError, AttributeError):
            raise DomainValidationError({field: [f"{value!r} is not a valid agent id."]}) from None
    return ids


def _check_handoffs(agent_id: Any, graph: Graph, target_ids: list[uuid.UUID]) -> None:
    graph_agent_ids = Agent.objects.filter(graph=graph).values_list("id", flat=True)
    raise_if(
        validation.handoff_errors(
            source_id=agent_id, target_ids=target_ids, graph_agent_ids=graph_agent_ids
        )
    )


def replace_edges(agent: Agent, target_ids: list[uuid.UUID]) -> bool:
    """Make the agent's outgoing edges exactly `target_ids`; True if anything changed."""
    current = set(HandoffEdge.objects.filter(source=agent).values_list("target_id", flat=True))
    wanted = set(target_ids)
    if current == wanted:
        return False
    HandoffEdge.objects.filter(source=agent, target_id__in=current - wanted).delete()
    HandoffEdge.objects.bulk_create(
        [HandoffEdge(source=agent, target_id=t) for t in target_ids if t in wanted - current]
    )
    return True


@transaction.atomic
def agent_create(
    *,
    actor: User,
    graph: Graph,
    name: str,
    description: str = "",
    instructions: str = "",
    model: str = DEFAULT_MODEL,
    tools: list | None = None,
    completion_args: dict | None = None,
    position_x: float = 0.0,
    position_y: float = 0.0,
    handoffs: Iterable[Any] = (),
    expected_revision: int | None = None,
) -> Agent:
    graph = lock_graph(graph, expected_revision)
    fields = {
        "name": name,
        "description": description,
        "instructions": instructions,
        "model": model,
        "tools": [] if tools is None else tools,
        "completion_args": {} if completion_args is None else completion_args,
        "position_x": position_x,
        "position_y": position_y,
    }
    errors = validation.agent_config_errors(fields)
    if "name" not in errors and _name_taken(graph, name):
        errors["name"] = ["An agent with this name already exists in this graph."]
    raise_if(errors)
    target_ids = _parse_ids(list(handoffs), "handoffs")
    _check_handoffs(None, graph, target_ids)
    agent = Agent.objects.create(graph=graph, **fields)
    replace_edges(agent, target_ids)
    # The first agent of a graph is where conversations start unless someone picks another.
    if graph.entry_agent_id is None:
        Graph.objects.filter(pk=graph.pk).update(entry_agent=agent)
        graph.entry_agent = agent
    record_version(agent, actor)
    bump_revision(graph)
    agent.graph = graph
    audit_record(
        actor=actor,
        action=Action.AGENT_CREATE,
        obj=agent,
        workspace=graph.workspace,
        after={**agent_state(agent), "graph": str(graph.pk)},
    )
    return agent


def _apply_agent_changes(agent: Agent, changes: Mapping[str, Any]) -> list[str]:
    unknown = set(changes) - set(validation.AGENT_CONFIG_FIELDS) - {"position_x", "position_y"}
    if unknown:
        raise DomainValidationError({k: ["Unknown field."] for k in sorted(unknown)})
    errors = validation.agent_config_errors(changes)
    if (
        "name" in changes
        and "name" not in errors
        and _name_taken(agent.graph, changes["name"], agent)
    ):
        errors["name"] = ["An agent with this name already exists in this graph."]
    raise_if(errors)
    # Only fields whose value differs: a save that repeats what is stored changes nothing.
    changed = [field for field, value in changes.items() if getattr(agent, field) != value]
    for field in changed:
        setattr(agent, field, changes[field])
    return changed


def _update(
    *,
    actor: User,
    agent: Agent,
    changes: Mapping[str, Any],
    handoffs: Iterable[Any] | None,
    expected_revision: int | None,
    audit_action: str | None = None,
    audit_extra: dict[str, Any] | None = None,
) -> Agent:
    """The shared body of the agent-changing services; callers own the transaction."""
    graph = lock_graph(agent.graph, expected_revision)
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    agent.graph = graph
    before = agent_state(agent)
    updated = _apply_agent_changes(agent, changes)
    if handoffs is not None:
        target_ids = _parse_ids(list(handoffs), "handoffs")
        _check_handoffs(agent.pk, graph, target_ids)
    if updated:
        agent.save(update_fields=[*updated, "updated_at"])
    edges_changed = handoffs is not None and replace_edges(agent, target_ids)
    if not updated and not edges_changed:
        # Nothing differs: no version, no audit row, and above all the same revision, so
        # other editors holding it are not refused for a conflict that is not there.
        return agent
    record_version(agent, actor)
    bump_revision(graph)
    record_agent_change(
        actor=actor, agent=agent, before=before, action=audit_action, extra=audit_extra or {}
    )
    return agent


@transaction.atomic
def agent_update(
    *,
    actor: User,
    agent: Agent,
    changes: Mapping[str, Any],
    handoffs: Iterable[Any] | None = None,
    expected_revision: int | None = None,
) -> Agent:
    """Change configuration fields, position and/or handoffs in one step (and one version)."""
    return _update(
        actor=actor,
        agent=agent,
        changes=changes,
        handoffs=handoffs,
        expected_revision=expected_revision,
    )


@transaction.atomic
def handoffs_set(
    *,
    actor: User,
    agent: Agent,
    target_ids: Iterable[Any],
    expected_revision: int | None = None,
) -> Agent:
    """Make the agent's handoffs exactly `target_ids` (agents of the same graph)."""
    return _update(
        actor=actor,
        agent=agent,
        changes={},
        handoffs=target_ids,
        expected_revision=expected_revision,
    )


@transaction.atomic
def agent_delete(*, actor: User, agent: Agent, expected_revision: int | None = None) -> None:
    graph = lock_graph(agent.graph, expected_revision)
    sources = list(
        Agent.objects.filter(outgoing_edges__target=agent).exclude(pk=agent.pk).distinct()
    )
    audit_record(
        actor=actor,
        action=Action.AGENT_DELETE,
        obj=agent,
        workspace=graph.workspace,
        # Agents that handed off to this one lose that handoff with it.
        before={**agent_state(agent), "handed_off_from": sorted(s.name for s in sources)},
    )
    if graph.entry_agent_id == agent.pk:
        Graph.objects.filter(pk=graph.pk).update(entry_agent=None)
    agent.delete()
    # Agents that could hand off to the deleted one now have a different handoffs list.
    for source in sources:
        record_version(source, actor)
    bump_revision(graph)


@transaction.atomic
def agent_version_restore(
    *, actor: User, agent: Agent, number: int, expected_revision: int | None = None
) -> Agent:
    """Bring back an older configuration as a new version. Handoff targets that no longer
    exist in the graph are dropped; the position stays where the user put the node."""
    version = AgentVersion.objects.filter(agent=agent, number=number).first()
    if version is None:
        raise DomainValidationError({"number": [f"Version {number} does not exist."]})
    snapshot = version.snapshot
    config = {k: snapshot[k] for k in validation.AGENT_CONFIG_FIELDS if k in snapshot}
    existing = set(Agent.objects.filter(graph=agent.graph_id).values_list("id", flat=True))
    targets = [t for t in _parse_ids(snapshot.get("handoffs", []), "handoffs") if t in existing]
    targets = [t for t in targets if t != agent.pk]
    return _update(
        actor=actor,
        agent=agent,
        changes=config,
        handoffs=targets,
        expected_revision=expected_revision,
        audit_action=Action.AGENT_RESTORE,
        audit_extra={"restored_version": number},
    )
