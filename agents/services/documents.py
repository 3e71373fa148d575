"""The editor's atomic save: replace a graph's agents, handoffs and entry agent with a whole
document in one transaction, or change nothing.

The document is the portable one (`agents.portable`: agents with their handoffs and the entry
agent by name) plus, on each agent that already exists, its `id`; an agent without `id` is new,
and an agent of the graph the document leaves out is deleted. It is validated exactly as an
import is (`portable.document_errors`, errors at `document.agents[2].tools[0]…`), the ids on top.
Each changed agent gets a version and the same audit row the per-agent services record; the
revision moves once, and only if something changed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from agents import portable
from agents.models import DEFAULT_MODEL, Agent, Graph, HandoffEdge
from agents.services.agents import replace_edges
from agents.services.common import bump_revision, lock_graph
from agents.services.history import agent_state, graph_state, record_agent_change, record_version
from audit.models import Action
from audit.services import audit_record, diff
from workspaces.exceptions import DomainValidationError
from workspaces.services.common import User

FIELD = "document"


def _portable_part(document: Any) -> Any:
    """The document as `portable.document_errors` knows it: without the agents' ids."""
    if not isinstance(document, dict) or not isinstance(document.get("agents"), list):
        return document
    agents = [
        {k: v for k, v in item.items() if k != "id"} if isinstance(item, dict) else item
        for item in document["agents"]
    ]
    return {**document, "agents": agents}


def _id_errors(document: dict, graph: Graph) -> tuple[dict[str, list[str]], dict[int, uuid.UUID]]:
    """Each `id` must name an agent of this graph, at most once. Returns errors and index → id."""
    existing = {str(pk) for pk in Agent.objects.filter(graph=graph).values_list("id", flat=True)}
    errors: dict[str, list[str]] = {}
    ids: dict[int, uuid.UUID] = {}
    seen: set[str] = set()
    for index, item in enumerate(document["agents"]):
        if not isinstance(item, dict) or item.get("id") is None:
            continue
        path = f"{FIELD}.agents[{index}].id"
        raw = item["id"]
        try:
            parsed = uuid.UUID(raw) if isinstance(raw, str) else None
        except ValueError:
            parsed = None
        if parsed is None or str(parsed) not in existing:
            errors[path] = ["Must be the id of an agent of this graph (none for a new agent)."]
        elif str(parsed) in seen:
            errors[path] = ["Another agent of the document has this id."]
        else:
            seen.add(str(parsed))
            ids[index] = parsed
    return errors, ids


def _fields_of(item: dict) -> dict[str, Any]:
    position = item.get("position", {})
    return {
        "name": item["name"],
        "description": item.get("description", ""),
        "instructions": item.get("instructions", ""),
        "model": item.get("model", DEFAULT_MODEL),
        "tools": item.get("tools", []),
        "completion_args": item.get("completion_args", {}),
        "position_x": float(position.get("x", 0)),
        "position_y": float(position.get("y", 0)),
    }


def _delete_missing(actor: User, graph: Graph, kept: set[uuid.UUID]) -> bool:
    gone = list(Agent.objects.filter(graph=graph).exclude(pk__in=kept).order_by("name"))
    for agent in gone:
        # As `agent_delete` records it, before the row goes.
        sources = Agent.objects.filter(outgoing_edges__target=agent).exclude(pk=agent.pk)
        audit_record(
            actor=actor,
            action=Action.AGENT_DELETE,
            obj=agent,
            workspace=graph.workspace,
            before={
                **agent_state(agent),
                "handed_off_from": sorted(set(sources.values_list("name", flat=True))),
            },
        )
    if gone:
        if graph.entry_agent_id in {a.pk for a in gone}:
            Graph.objects.filter(pk=graph.pk).update(entry_agent=None)
            graph.entry_agent = None
        Agent.objects.filter(pk__in=[a.pk for a in gone]).delete()
    return bool(gone)


def _changed_agents(
    graph: Graph, items: list[dict], ids: dict[int, uuid.UUID]
) -> tuple[dict[uuid.UUID, Agent], dict[uuid.UUID, dict[str, Any]]]:
    """The kept agents, and the audit state before the save of those the document changes
    (taken before anything moves, so deleted targets and renames show as they were)."""
    kept = set(ids.values())
    current = {
        a.pk: a
        for a in Agent.objects.filter(graph=graph, pk__in=kept).prefetch_related("outgoing_edges")
    }
    final_pk = {item["name"]: ids.get(index) for index, item in enumerate(items)}
    before: dict[uuid.UUID, dict[str, Any]] = {}
    for index, pk in ids.items():
        agent, fields = current[pk], _fields_of(items[index])
        wanted = {final_pk[name] for name in items[index].get("handoffs", [])}
        edges = {e.target_id for e in agent.outgoing_edges.all()}
        if wanted != edges or any(getattr(agent, f) != v for f, v in fields.items()):
            before[pk] = agent_state(agent)
    return current, before


def _apply_agents(
    actor: User, graph: Graph, items: list[dict], ids: dict[int, uuid.UUID]
) -> tuple[dict[str, Agent], bool]:
    """Create or change every agent of the document and set every handoff list; then the
    versions and audit rows of what changed. Returns the agents by name and whether any did."""
    current, before = _changed_agents(graph, items, ids)
    deleted = _delete_missing(actor, graph, set(ids.values()))
    renamed = {pk for index, pk in ids.items() if current[pk].name != items[index]["name"]}
    # Renames may swap names (a→b, b→a); park them under unique names first so the
    # (graph, name) constraint never sees two agents with one name mid-way.
    for pk in renamed:
        Agent.objects.filter(pk=pk).update(name=f"~renaming~{pk}")
    by_name: dict[str, Agent] = {}
    created: list[Agent] = []
    for index, item in enumerate(items):
        fields = _fields_of(item)
        pk = ids.get(index)
        if pk is None:
            agent = Agent.objects.create(graph=graph, **fields)
            created.append(agent)
        else:
            agent = current[pk]
            if pk in before:
                changed = [f for f, v in fields.items() if getattr(agent, f) != v]
                for field in changed:
                    setattr(agent, field, fields[field])
                if changed:
                    agent.save(update_fields=[*changed, "updated_at"])
        agent.graph = graph
        by_name[agent.name] = agent
    new_pks = {agent.pk for agent in created}
    new_edges: list[HandoffEdge] = []
    for item in items:
        agent = by_name[item["name"]]
        targets = [by_name[name].pk for name in item.get("handoffs", [])]
        if agent.pk in new_pks:
            new_edges.extend(HandoffEdge(source=agent, target_id=t) for t in targets)
        elif agent.pk in before:
            replace_edges(agent, targets)
    HandoffEdge.objects.bulk_create(new_edges)
    for agent in created:
        record_version(agent, actor)
        audit_record(
            actor=actor,
            action=Action.AGENT_CREATE,
            obj=agent,
            workspace=graph.workspace,
            after={**agent_state(agent), "graph": str(graph.pk)},
        )
    for pk, state in before.items():
        record_version(current[pk], actor)
        record_agent_change(actor=actor, agent=current[pk], before=state, action=None, extra={})
    return by_name, bool(deleted or created or before)


def _apply_graph(
    actor: User, graph: Graph, before: dict[str, Any], document: dict, by_name: dict[str, Agent]
) -> bool:
    graph.name = document["name"]
    graph.description = document.get("description", "")
    # The editor may leave the runtime out: then it stays as it is.
    graph.runtime = document.get("runtime", graph.runtime)
    graph.max_turns = document.get("max_turns", graph.max_turns)
    entry = document.get("entry_agent")
    graph.entry_agent = by_name[entry] if entry is not None else None
    old, new = diff(before, graph_state(graph))
    if not old and not new:
        return False
    graph.save(
        update_fields=["name", "description", "entry_agent", "runtime", "max_turns", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=Action.GRAPH_UPDATE,
        obj=graph,
        workspace=graph.workspace,
        before=old,
        after=new,
    )
    return True


@transaction.atomic
def graph_document_save(
    *, actor: User, graph: Graph, document: Any, expected_revision: int
) -> Graph:
    """Make the graph exactly `document` (see the module docstring); 409 on a stale revision,
    400 naming the path of every problem, and in both cases nothing changed."""
    locked = lock_graph(graph, expected_revision)
    id_errors: dict[str, list[str]] = {}
    ids: dict[int, uuid.UUID] = {}
    if isinstance(document, dict) and isinstance(document.get("agents"), list):
        id_errors, ids = _id_errors(document, locked)
    existing = Agent.objects.in_bulk(list(ids.values()))
    errors = portable.document_errors(
        _portable_part(document),
        field=FIELD,
        actor=actor,
        workspace=locked.workspace,
        existing={index: existing[pk] for index, pk in ids.items()},
    )
    errors.update(id_errors)
    if errors:
        raise DomainValidationError(errors)
    graph_before = graph_state(locked)
    by_name, agents_changed = _apply_agents(actor, locked, document["agents"], ids)
    graph_changed = _apply_graph(actor, locked, graph_before, document, by_name)
    # The agents' tool policies and MCP servers: only those the document carries change.
    for item in document["agents"]:
        for key, agent_section in portable.AGENT_SECTIONS.items():
            if key in item:
                changed = agent_section.load(by_name[item["name"]], item[key], actor)
                agents_changed = changed or agents_changed
    if agents_changed or graph_changed:
        bump_revision(locked)
    return locked
