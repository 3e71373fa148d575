"""Graphs: create, change, delete, and import from a portable document."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from agents import portable, validation
from agents.models import DEFAULT_MODEL, Agent, Graph, HandoffEdge, Runtime
from agents.services.common import bump_revision, lock_graph
from agents.services.history import graph_state, record_version
from audit.models import Action
from audit.services import audit_record, diff
from workspaces.exceptions import DomainValidationError
from workspaces.models import Workspace
from workspaces.services.common import User, raise_if


@transaction.atomic
def graph_create(*, actor: User, workspace: Workspace, name: str, description: str = "") -> Graph:
    errors = validation.name_errors(name)
    errors.update(validation.agent_config_errors({"description": description}))
    raise_if(errors)
    graph = Graph.objects.create(
        workspace=workspace, name=name, description=description, created_by=actor
    )
    audit_record(
        actor=actor,
        action=Action.GRAPH_CREATE,
        obj=graph,
        workspace=workspace,
        after=graph_state(graph),
    )
    return graph


UNSET: Any = object()
MAX_TURNS_LIMIT = portable.MAX_TURNS_LIMIT


def _runtime_errors(graph: Graph, runtime: Any, max_turns: Any) -> dict[str, list[str]]:
    """Set the default runtime and the local runtime's max_turns on `graph`, or say why not."""
    errors: dict[str, list[str]] = {}
    if runtime is not UNSET:
        if runtime not in Runtime.values:
            errors["runtime"] = [f"Choose one of: {', '.join(Runtime.values)}."]
        else:
            graph.runtime = runtime
    if max_turns is not UNSET:
        if max_turns is not None and (
            isinstance(max_turns, bool)
            or not isinstance(max_turns, int)
            or not 1 <= max_turns <= MAX_TURNS_LIMIT
        ):
            errors["max_turns"] = [f"A whole number from 1 to {MAX_TURNS_LIMIT}, or null."]
        else:
            graph.max_turns = max_turns
    return errors


@transaction.atomic
def graph_update(
    *,
    actor: User,
    graph: Graph,
    name: str = UNSET,
    description: str = UNSET,
    entry_agent_id: uuid.UUID | str | None = UNSET,
    runtime: str = UNSET,
    max_turns: int | None = UNSET,
    expected_revision: int | None = None,
) -> Graph:
    locked = lock_graph(graph, expected_revision)
    before = graph_state(locked)
    errors: dict[str, list[str]] = {}
    if name is not UNSET:
        errors.update(validation.name_errors(name))
        locked.name = name
    if description is not UNSET:
        errors.update(validation.agent_config_errors({"description": description}))
        locked.description = description
    if entry_agent_id is not UNSET:
        if entry_agent_id is None:
            locked.entry_agent = None
        else:
            agent = Agent.objects.filter(graph=locked, pk=entry_agent_id).first()
            if agent is None:
                errors["entry_agent"] = ["Must be an agent of this graph."]
            locked.entry_agent = agent
    errors.update(_runtime_errors(locked, runtime, max_turns))
    raise_if(errors)
    old, new = diff(before, graph_state(locked))
    if not old and not new:
        return locked  # nothing differs: the revision stays, so nobody gets a false conflict
    locked.save(
        update_fields=["name", "description", "entry_agent", "runtime", "max_turns", "updated_at"]
    )
    bump_revision(locked)
    audit_record(
        actor=actor,
        action=Action.GRAPH_UPDATE,
        obj=locked,
        workspace=locked.workspace,
        before=old,
        after={**new, "revision": locked.revision},
    )
    return locked


@transaction.atomic
def graph_delete(*, actor: User, graph: Graph, expected_revision: int | None = None) -> None:
    locked = lock_graph(graph, expected_revision)
    audit_record(
        actor=actor,
        action=Action.GRAPH_DELETE,
        obj=locked,
        workspace=locked.workspace,
        before={
            **graph_state(locked),
            "revision": locked.revision,
            "agents": sorted(Agent.objects.filter(graph=locked).values_list("name", flat=True)),
        },
    )
    # Drop the graph → agent reference first so the cascade never trips over it.
    Graph.objects.filter(pk=graph.pk).update(entry_agent=None)
    graph.delete()


@transaction.atomic
def graph_import(*, actor: User, workspace: Workspace, document: Any) -> Graph:
    """Validate the whole document first; create the graph, agents and edges only if all is well."""
    errors = portable.document_errors(document, actor=actor, workspace=workspace)
    if errors:
        raise DomainValidationError(errors)
    graph = Graph.objects.create(
        workspace=workspace,
        name=document["name"],
        description=document.get("description", ""),
        runtime=document.get("runtime", Runtime.CONVERSATIONS),
        max_turns=document.get("max_turns"),
        created_by=actor,
    )
    by_name: dict[str, Agent] = {}
    for item in document["agents"]:
        position = item.get("position", {})
        by_name[item["name"]] = Agent.objects.create(
            graph=graph,
            name=item["name"],
            description=item.get("description", ""),
            instructions=item.get("instructions", ""),
            model=item.get("model", DEFAULT_MODEL),
            tools=item.get("tools", []),
            completion_args=item.get("completion_args", {}),
            position_x=position.get("x", 0),
            position_y=position.get("y", 0),
        )
    HandoffEdge.objects.bulk_create(
        [
            HandoffEdge(source=by_name[item["name"]], target=by_name[target])
            for item in document["agents"]
            for target in item.get("handoffs", [])
        ]
    )
    for item in document["agents"]:
        for key, agent_section in portable.AGENT_SECTIONS.items():
            if key in item:
                agent_section.load(by_name[item["name"]], item[key], actor)
    for agent in by_name.values():
        record_version(agent, actor)
    entry = document.get("entry_agent")
    if entry is not None:
        graph.entry_agent = by_name[entry]
        graph.save(update_fields=["entry_agent", "updated_at"])
    for key, section in portable.SECTIONS.items():
        if key in document:
            section.load(graph, document[key], actor)
    audit_record(
        actor=actor,
        action=Action.GRAPH_IMPORT,
        obj=graph,
        workspace=workspace,
        after={
            **graph_state(graph),
            "agents": sorted(by_name),
            "handoffs": sum(len(item.get("handoffs", [])) for item in document["agents"]),
            "format": document.get("format"),
        },
    )
    return graph
