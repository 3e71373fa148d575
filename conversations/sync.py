"""Push a graph's agents to the backend: agents without handoffs first, then the handoffs with the
backend's ids (as the handoffs guide does). Remote ids and versions are kept per backend, and an
unchanged agent makes no call. Never called inside a transaction: it talks to the network."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import redis
from django.conf import settings

from agents.models import Agent, Graph, HandoffEdge
from conversations import backend
from conversations.models import RemoteAgent

CONFIG_FIELDS = ("name", "description", "instructions", "model", "tools", "completion_args")


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def agent_config(agent: Agent) -> dict[str, Any]:
    config: dict[str, Any] = {"name": agent.name, "model": agent.model}
    if agent.description:
        config["description"] = agent.description
    if agent.instructions:
        config["instructions"] = agent.instructions
    if agent.tools:
        config["tools"] = agent.tools
    if agent.completion_args:
        config["completion_args"] = agent.completion_args
    return config


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
    """Bring the backend up to date with the graph; returns {agent id: RemoteAgent}."""
    # Every turn calls this: when nothing changed, answer from the database without the lock.
    state = _load(graph)
    if _up_to_date(*state):
        return state[1]
    with _graph_lock(graph):
        return _graph_sync(*_load(graph))


def _load(graph: Graph) -> tuple[list[Agent], dict[Any, RemoteAgent], dict[Any, list[Any]], str]:
    key = backend.backend_key()
    agents = list(Agent.objects.filter(graph=graph).order_by("name"))
    remotes = {r.agent_id: r for r in RemoteAgent.objects.filter(agent__graph=graph, backend=key)}
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
    agents: list[Agent], remotes: dict[Any, RemoteAgent], targets: dict[Any, list[Any]], key: str
) -> dict[Any, RemoteAgent]:
    for agent in agents:
        config = agent_config(agent)
        digest = _hash(config)
        remote = remotes.get(agent.pk)
        if remote is not None and remote.config_hash == digest:
            continue
        if remote is not None and backend.agent_exists(remote.remote_id):
            data = backend.agent_update(remote.remote_id, config)
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
        remotes[agent.pk] = _save(
            agent, key, remote, config_hash=digest, remote_version=data.get("version") or 0
        )

    for agent in agents:
        handoffs = [remotes[target].remote_id for target in targets[agent.pk]]
        digest = _hash(handoffs)
        remote = remotes[agent.pk]
        if remote.handoffs_hash == digest:
            continue
        data = backend.agent_update(remote.remote_id, {"handoffs": handoffs})
        remotes[agent.pk] = _save(
            agent, key, remote, handoffs_hash=digest, remote_version=data.get("version") or 0
        )
    return remotes


def local_agents_by_remote_id(graph: Graph) -> dict[str, Agent]:
    key = backend.backend_key()
    return {
        r.remote_id: r.agent
        for r in RemoteAgent.objects.filter(agent__graph=graph, backend=key).select_related("agent")
    }
