"""Every write to workspaces, graphs and agents. One service per user action, each atomic.

Callers (API, admin, import, management commands) check access with `selectors` first; services
enforce the domain rules and raise `DomainValidationError` / `RevisionConflict`. Each records one
audit row (`audit.services.audit_record`) inside its own transaction, after its checks pass, so a
refused or rolled-back action leaves none; keep each user action a single service call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents import portable, validation
from agents.exceptions import DomainValidationError, RevisionConflict
from agents.models import (
    DEFAULT_MODEL,
    Agent,
    AgentVersion,
    Graph,
    HandoffEdge,
    Membership,
    Workspace,
)
from agents.roles import Role
from audit.models import Action
from audit.services import audit_record, diff

User = AbstractBaseUser


# --- internals -----------------------------------------------------------------------------


def _raise_if(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise DomainValidationError(errors)


def _lock_graph(graph: Graph, expected_revision: int | None) -> Graph:
    """Serialize writers of one graph and refuse edits based on a stale revision."""
    locked = Graph.objects.select_for_update().get(pk=graph.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise RevisionConflict(expected=expected_revision, current=locked.revision)
    return locked


def _bump_revision(graph: Graph) -> None:
    now = timezone.now()
    Graph.objects.filter(pk=graph.pk).update(revision=F("revision") + 1, updated_at=now)
    graph.revision = Graph.objects.values_list("revision", flat=True).get(pk=graph.pk)
    graph.updated_at = now


def _handoff_targets(agent: Agent) -> list[Agent]:
    return [
        edge.target
        for edge in HandoffEdge.objects.filter(source=agent)
        .select_related("target")
        .order_by("target__name")
    ]


def agent_snapshot(agent: Agent) -> dict[str, Any]:
    """The configuration a version records (position is layout, not configuration)."""
    targets = _handoff_targets(agent)
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


def _record_version(agent: Agent, actor: User | None) -> AgentVersion | None:
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
    _raise_if(
        validation.handoff_errors(
            source_id=agent_id, target_ids=target_ids, graph_agent_ids=graph_agent_ids
        )
    )


def _replace_edges(agent: Agent, target_ids: list[uuid.UUID]) -> bool:
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


# --- audit helpers ---------------------------------------------------------------------------


def _agent_state(agent: Agent) -> dict[str, Any]:
    """What an audit row shows of an agent: its configuration, handoffs by id and name, place."""
    state = agent_snapshot(agent)
    state["position"] = {"x": agent.position_x, "y": agent.position_y}
    return state


def _graph_state(graph: Graph) -> dict[str, Any]:
    return {
        "name": graph.name,
        "description": graph.description,
        "entry_agent": str(graph.entry_agent_id) if graph.entry_agent_id else None,
    }


def _membership_state(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user_id,
        "username": membership.user.get_username(),
        "role": membership.role,
    }


def _record_agent_change(
    *, actor: User, agent: Agent, before: dict[str, Any], action: str | None, extra: dict
) -> None:
    """One row per agent-changing call. Only handoffs changed → a handoff row (added, removed or
    both); anything else → `action` (default agent.update). Nothing changed and no explicit
    action (a no-op edit) → no row."""
    after = _agent_state(agent)
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


# --- workspaces and memberships ------------------------------------------------------------


@transaction.atomic
def workspace_create(*, actor: User, name: str) -> Workspace:
    """The creator becomes the workspace's first admin."""
    _raise_if(validation.name_errors(name))
    workspace = Workspace.objects.create(name=name, created_by=actor)
    Membership.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    audit_record(
        actor=actor,
        action=Action.WORKSPACE_CREATE,
        obj=workspace,
        workspace=workspace,
        after={"name": name},
    )
    return workspace


@transaction.atomic
def workspace_update(*, actor: User, workspace: Workspace, name: str) -> Workspace:
    _raise_if(validation.name_errors(name))
    before = {"name": Workspace.objects.values_list("name", flat=True).get(pk=workspace.pk)}
    workspace.name = name
    workspace.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action=Action.WORKSPACE_UPDATE,
        obj=workspace,
        workspace=workspace,
        before=before,
        after={"name": name},
    )
    return workspace


@transaction.atomic
def workspace_delete(*, actor: User, workspace: Workspace) -> None:
    before = {
        "name": workspace.name,
        "graphs": sorted(Graph.objects.filter(workspace=workspace).values_list("name", flat=True)),
        "members": sorted(
            Membership.objects.filter(workspace=workspace).values_list("user__username", flat=True)
        ),
    }
    # Recorded before the delete: the row keeps the workspace's id and name, not a foreign key.
    audit_record(
        actor=actor,
        action=Action.WORKSPACE_DELETE,
        obj=workspace,
        workspace=workspace,
        before=before,
    )
    workspace.delete()


def _admin_count(workspace: Workspace) -> int:
    # Lock the admins so two concurrent demotions cannot both pass the "one admin left" check.
    return len(Membership.objects.select_for_update().filter(workspace=workspace, role=Role.ADMIN))


def _check_role_value(role: Any) -> None:
    if role not in Role.values:
        raise DomainValidationError({"role": [f"Must be one of {', '.join(Role.values)}."]})


@transaction.atomic
def membership_add(*, actor: User, workspace: Workspace, user: User, role: str) -> Membership:
    _check_role_value(role)
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise DomainValidationError({"user": ["This user is already a member."]})
    membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_ADD,
        obj=membership,
        workspace=workspace,
        after=_membership_state(membership),
    )
    return membership


@transaction.atomic
def membership_change(*, actor: User, membership: Membership, role: str) -> Membership:
    _check_role_value(role)
    if (
        membership.role == Role.ADMIN
        and role != Role.ADMIN
        and _admin_count(membership.workspace) <= 1
    ):
        raise DomainValidationError({"role": ["The workspace must keep at least one admin."]})
    before = _membership_state(membership)
    before["role"] = Membership.objects.values_list("role", flat=True).get(pk=membership.pk)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_CHANGE,
        obj=membership,
        workspace=membership.workspace,
        before=before,
        after=_membership_state(membership),
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    if membership.role == Role.ADMIN and _admin_count(membership.workspace) <= 1:
        raise DomainValidationError({"role": ["The workspace must keep at least one admin."]})
    audit_record(
        actor=actor,
        action=Action.MEMBERSHIP_REMOVE,
        obj=membership,
        workspace=membership.workspace,
        before=_membership_state(membership),
    )
    membership.delete()


# --- graphs --------------------------------------------------------------------------------


@transaction.atomic
def graph_create(*, actor: User, workspace: Workspace, name: str, description: str = "") -> Graph:
    errors = validation.name_errors(name)
    errors.update(validation.agent_config_errors({"description": description}))
    _raise_if(errors)
    graph = Graph.objects.create(
        workspace=workspace, name=name, description=description, created_by=actor
    )
    audit_record(
        actor=actor,
        action=Action.GRAPH_CREATE,
        obj=graph,
        workspace=workspace,
        after=_graph_state(graph),
    )
    return graph


_UNSET: Any = object()


@transaction.atomic
def graph_update(
    *,
    actor: User,
    graph: Graph,
    name: str = _UNSET,
    description: str = _UNSET,
    entry_agent_id: uuid.UUID | str | None = _UNSET,
    expected_revision: int | None = None,
) -> Graph:
    locked = _lock_graph(graph, expected_revision)
    before = _graph_state(locked)
    errors: dict[str, list[str]] = {}
    if name is not _UNSET:
        errors.update(validation.name_errors(name))
        locked.name = name
    if description is not _UNSET:
        errors.update(validation.agent_config_errors({"description": description}))
        locked.description = description
    if entry_agent_id is not _UNSET:
        if entry_agent_id is None:
            locked.entry_agent = None
        else:
            agent = Agent.objects.filter(graph=locked, pk=entry_agent_id).first()
            if agent is None:
                errors["entry_agent"] = ["Must be an agent of this graph."]
            locked.entry_agent = agent
    _raise_if(errors)
    locked.save(update_fields=["name", "description", "entry_agent", "updated_at"])
    _bump_revision(locked)
    old, new = diff(before, _graph_state(locked))
    if old or new:
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
    locked = _lock_graph(graph, expected_revision)
    audit_record(
        actor=actor,
        action=Action.GRAPH_DELETE,
        obj=locked,
        workspace=locked.workspace,
        before={
            **_graph_state(locked),
            "revision": locked.revision,
            "agents": sorted(Agent.objects.filter(graph=locked).values_list("name", flat=True)),
        },
    )
    # Drop the graph → agent reference first so the cascade never trips over it.
    Graph.objects.filter(pk=graph.pk).update(entry_agent=None)
    graph.delete()


# --- agents --------------------------------------------------------------------------------


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
    graph = _lock_graph(graph, expected_revision)
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
    _raise_if(errors)
    target_ids = _parse_ids(list(handoffs), "handoffs")
    _check_handoffs(None, graph, target_ids)
    agent = Agent.objects.create(graph=graph, **fields)
    _replace_edges(agent, target_ids)
    # The first agent of a graph is where conversations start unless someone picks another.
    if graph.entry_agent_id is None:
        Graph.objects.filter(pk=graph.pk).update(entry_agent=agent)
        graph.entry_agent = agent
    _record_version(agent, actor)
    _bump_revision(graph)
    agent.graph = graph
    audit_record(
        actor=actor,
        action=Action.AGENT_CREATE,
        obj=agent,
        workspace=graph.workspace,
        after={**_agent_state(agent), "graph": str(graph.pk)},
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
    _raise_if(errors)
    for field, value in changes.items():
        setattr(agent, field, value)
    return list(changes)


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
    graph = _lock_graph(agent.graph, expected_revision)
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    agent.graph = graph
    before = _agent_state(agent)
    updated = _apply_agent_changes(agent, changes)
    if handoffs is not None:
        target_ids = _parse_ids(list(handoffs), "handoffs")
        _check_handoffs(agent.pk, graph, target_ids)
    if updated:
        agent.save(update_fields=[*updated, "updated_at"])
    if handoffs is not None:
        _replace_edges(agent, target_ids)
    _record_version(agent, actor)
    _bump_revision(graph)
    _record_agent_change(
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
    graph = _lock_graph(agent.graph, expected_revision)
    sources = list(
        Agent.objects.filter(outgoing_edges__target=agent).exclude(pk=agent.pk).distinct()
    )
    audit_record(
        actor=actor,
        action=Action.AGENT_DELETE,
        obj=agent,
        workspace=graph.workspace,
        # Agents that handed off to this one lose that handoff with it.
        before={**_agent_state(agent), "handed_off_from": sorted(s.name for s in sources)},
    )
    if graph.entry_agent_id == agent.pk:
        Graph.objects.filter(pk=graph.pk).update(entry_agent=None)
    agent.delete()
    # Agents that could hand off to the deleted one now have a different handoffs list.
    for source in sources:
        _record_version(source, actor)
    _bump_revision(graph)


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


# --- import ------------------------------------------------------------------------------


@transaction.atomic
def graph_import(*, actor: User, workspace: Workspace, document: Any) -> Graph:
    """Validate the whole document first; create the graph, agents and edges only if all is well."""
    errors = portable.document_errors(document)
    if errors:
        raise DomainValidationError(errors)
    graph = Graph.objects.create(
        workspace=workspace,
        name=document["name"],
        description=document.get("description", ""),
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
    for agent in by_name.values():
        _record_version(agent, actor)
    entry = document.get("entry_agent")
    if entry is not None:
        graph.entry_agent = by_name[entry]
        graph.save(update_fields=["entry_agent", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.GRAPH_IMPORT,
        obj=graph,
        workspace=workspace,
        after={
            **_graph_state(graph),
            "agents": sorted(by_name),
            "handoffs": sum(len(item.get("handoffs", [])) for item in document["agents"]),
            "format": document.get("format"),
        },
    )
    return graph
