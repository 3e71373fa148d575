"""Push a graph's agents to the backend: agents without handoffs first, then the handoffs with the
backend's ids (as the handoffs guide does). Remote ids and versions are kept per backend, and an
unchanged agent makes no call. Never called inside a transaction: it talks to the network.

The sync a person asks for (`graph_resync`) also reads each remote agent back: one changed behind
our back (its version or configuration is not what our last push left) gets ours again, and the
repair is reported."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import redis
from django.conf import settings

from agents.mcp_tools import offered_tools
from agents.models import Agent, Graph, HandoffEdge
from integrations.mistral import backend
from integrations.mistral.models import RemoteAgent

CONFIG_FIELDS = ("name", "description", "instructions", "model", "tools", "completion_args")
REMOTE_FIELDS = (*CONFIG_FIELDS, "handoffs")


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def agent_config(agent: Agent) -> dict[str, Any]:
    config: dict[str, Any] = {"name": agent.name, "model": agent.model}
    if agent.description:
        config["description"] = agent.description
    if agent.instructions:
        config["instructions"] = agent.instructions
    tools = offered_tools(agent)  # its own, and its MCP servers' as function tools
    if tools:
        config["tools"] = tools
    if agent.completion_args:
        config["completion_args"] = agent.completion_args
    return config


def full_config(agent: Agent) -> dict[str, Any]:
    """The configuration for an update: every field, empty ones too, so whatever the backend held
    (tools someone added, an old description) is replaced rather than kept."""
    return {
        "name": agent.name,
        "model": agent.model,
        "description": agent.description or None,
        "instructions": agent.instructions or None,
        "tools": offered_tools(agent),
        "completion_args": agent.completion_args or {},
    }


def remote_fingerprint(data: dict[str, Any]) -> str:
    """The backend's answer reduced to what we configure, to compare with the next read."""
    return _hash({name: data.get(name) for name in REMOTE_FIELDS})


def _pushed(data: dict[str, Any]) -> dict[str, Any]:
    """What to record about the backend's answer to one of our pushes."""
    return {
        "remote_version": data.get("version") or 0,
        "remote_fingerprint": remote_fingerprint(data),
    }


@dataclass
class Drift:
    """An agent the backend no longer held as our last push left it."""

    agent_id: Any
    remote_id: str
    synced_version: int
    found_version: int | None  # None: deleted on the backend
    restored_version: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent": str(self.agent_id),
            "remote_id": self.remote_id,
            "synced_version": self.synced_version,
            "found_version": self.found_version,
            "restored_version": self.restored_version,
        }


@dataclass
class SyncResult:
    remotes: dict[Any, RemoteAgent]
    repaired: list[Drift] = field(default_factory=list)


def _save(agent: Agent, key: str, remote: RemoteAgent | None, **fields: Any) -> RemoteAgent:
    if remote is None:
        return RemoteAgent.objects.create(agent=agent, backend=key, **fields)
    RemoteAgent.objects.filter(pk=remote.pk).update(**fields)
    for name, value in fields.items():
        setattr(remote, name, value)
    return remote


SYNC_LOCK_TIMEOUT_S = 120


@functools.cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


@contextlib.contextmanager
def _graph_lock(graph: Graph) -> Iterator[None]:
    """One sync of a graph at a time, across worker threads and processes: first turns of two
    conversations on a new graph would otherwise both create its agents (and one would fail)."""
    lock = _redis(settings.REDIS_URL).lock(
        f"agentstudio:graph-sync:{graph.pk}",
        timeout=SYNC_LOCK_TIMEOUT_S,
        blocking_timeout=SYNC_LOCK_TIMEOUT_S,
    )
    if not lock.acquire():
        raise backend.BackendError("Another sync of this graph took too long; try again.")
    try:
        yield
    finally:
        with contextlib.suppress(redis.exceptions.LockError):
            lock.release()


def graph_sync(graph: Graph) -> dict[Any, RemoteAgent]:
    """Bring the backend up to date with the graph; returns {agent id: RemoteAgent}, each with its
    `agent` loaded (one query for all of them)."""
    # Every turn calls this: when nothing changed, answer from the database without the lock.
    state = _load(graph)
    if _up_to_date(*state):
        return state[1]
    with _graph_lock(graph):
        return _graph_sync(*_load(graph))


def graph_resync(graph: Graph) -> SyncResult:
    """Bring the backend up to date with the graph, and repair what changed there behind our back
    (an agent edited, switched to another version, or deleted): reads every remote agent."""
    with _graph_lock(graph):
        agents, remotes, targets, key = _load(graph)
        drifts = _find_drift(agents, remotes)
        remotes = _graph_sync(
            agents,
            remotes,
            targets,
            key,
            force={d.agent_id for d in drifts},
            gone={d.agent_id for d in drifts if d.found_version is None},
        )
        for drift in drifts:
            drift.remote_id = remotes[drift.agent_id].remote_id
            drift.restored_version = remotes[drift.agent_id].remote_version
        return SyncResult(remotes, drifts)


def _find_drift(agents: list[Agent], remotes: dict[Any, RemoteAgent]) -> list[Drift]:
    drifts = []
    for agent in agents:
        remote = remotes.get(agent.pk)
        if remote is None:
            continue
        data = backend.agent_get(remote.remote_id)
        found = None if data is None else (data.get("version") or 0)
        drifted = data is None or found != remote.remote_version
        # Rows synced before fingerprints were kept have none: their version alone decides.
        if not drifted and remote.remote_fingerprint:
            drifted = remote_fingerprint(data) != remote.remote_fingerprint
        if drifted:
            drifts.append(Drift(agent.pk, remote.remote_id, remote.remote_version, found))
    return drifts


def _load(graph: Graph) -> tuple[list[Agent], dict[Any, RemoteAgent], dict[Any, list[Any]], str]:
    key = backend.backend_key()
    # MCP servers prefetched: the configuration of each agent lists their tools (`offered_tools`).
    agents = list(
        Agent.objects.filter(graph=graph).order_by("name").prefetch_related("mcp_servers")
    )
    by_pk = {agent.pk: agent for agent in agents}
    remotes = {r.agent_id: r for r in RemoteAgent.objects.filter(agent__graph=graph, backend=key)}
    for remote in remotes.values():
        remote.agent = by_pk[remote.agent_id]  # the caller reads them: no query per remote
    targets: dict[Any, list[Any]] = {agent.pk: [] for agent in agents}
    edges = HandoffEdge.objects.filter(source__graph=graph).order_by("target__name")
    for source_id, target_id in edges.values_list("source_id", "target_id"):
        targets[source_id].append(target_id)
    return agents, remotes, targets, key


def _up_to_date(agents, remotes, targets, key) -> bool:
    for agent in agents:
        remote = remotes.get(agent.pk)
        if remote is None or remote.config_hash != _hash(agent_config(agent)):
            return False
        if any(target not in remotes for target in targets[agent.pk]):
            return False
        handoffs = [remotes[target].remote_id for target in targets[agent.pk]]
        if remote.handoffs_hash != _hash(handoffs):
            return False
    return True


def _graph_sync(
    agents: list[Agent],
    remotes: dict[Any, RemoteAgent],
    targets: dict[Any, list[Any]],
    key: str,
    *,
    force: frozenset | set = frozenset(),
    gone: frozenset | set = frozenset(),
) -> dict[Any, RemoteAgent]:
    """`force`: agents whose configuration and handoffs are pushed even if unchanged here;
    `gone`: agents known to be deleted on the backend."""
    for agent in agents:
        config = agent_config(agent)
        digest = _hash(config)
        remote = remotes.get(agent.pk)
        if remote is not None and remote.config_hash == digest and agent.pk not in force:
            continue
        exists = remote is not None and agent.pk not in gone
        if exists and backend.agent_exists(remote.remote_id):
            data = backend.agent_update(remote.remote_id, full_config(agent))
        else:  # new here, or deleted on the backend since: create it (handoffs follow below)
            data = backend.agent_create(config)
            remote = _save(
                agent,
                key,
                remote,
                remote_id=data["id"],
                handoffs_hash=_hash([]),
                config_hash="",
                remote_version=0,
            )
        remotes[agent.pk] = _save(agent, key, remote, config_hash=digest, **_pushed(data))

    for agent in agents:
        handoffs = [remotes[target].remote_id for target in targets[agent.pk]]
        digest = _hash(handoffs)
        remote = remotes[agent.pk]
        if remote.handoffs_hash == digest and agent.pk not in force:
            continue
        data = backend.agent_update(remote.remote_id, {"handoffs": handoffs})
        remotes[agent.pk] = _save(agent, key, remote, handoffs_hash=digest, **_pushed(data))
    return remotes


def local_agents_by_remote_id(graph: Graph) -> dict[str, Agent]:
    key = backend.backend_key()
    return {
        r.remote_id: r.agent
        for r in RemoteAgent.objects.filter(agent__graph=graph, backend=key).select_related("agent")
    }
