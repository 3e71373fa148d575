"""A person's "sync to the backend", audited."""

from __future__ import annotations

from django.db import transaction

from agents.models import Agent
from audit.models import Action, Outcome
from audit.services import audit_record
from conversations.services.mcp import graph_mcp_refresh
from integrations.mistral import backend, sync


def graph_sync_requested(*, actor, graph) -> sync.SyncResult:
    """A person's "sync to the backend" (the API's POST /graphs/{id}/sync/). It also repairs
    agents changed on the backend behind our back. The sync talks to the network, so it runs
    outside any transaction and the audit rows follow it: a success row with what the backend now
    holds and one row per repaired agent, or a row marked failed with the backend's error. (The
    worker's own sync before each turn is not a human action and is not audited.)"""
    graph_mcp_refresh(graph=graph)  # the tool lists first: the remote agents offer them
    try:
        result = sync.graph_resync(graph)  # looked up now: tests replace it
    except backend.BackendError as exc:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=Action.GRAPH_SYNC,
                outcome=Outcome.FAILURE,
                obj=graph,
                workspace=graph.workspace,
                after={"backend": backend.backend_key()},
                error=str(exc)[:2000],
            )
        raise
    repaired = [drift.as_dict() for drift in result.repaired]
    agents = Agent.objects.in_bulk([drift.agent_id for drift in result.repaired])
    with transaction.atomic():
        for drift, details in zip(result.repaired, repaired, strict=True):
            audit_record(
                actor=actor,
                action=Action.AGENT_DRIFT_REPAIRED,
                obj=agents[drift.agent_id],
                workspace=graph.workspace,
                after={"backend": backend.backend_key(), **details},
            )
        audit_record(
            actor=actor,
            action=Action.GRAPH_SYNC,
            obj=graph,
            workspace=graph.workspace,
            after={
                "backend": backend.backend_key(),
                "agents": [
                    {"agent": str(agent_id), "remote_id": r.remote_id, "version": r.remote_version}
                    for agent_id, r in result.remotes.items()
                ],
                "drift_repaired": repaired,
            },
        )
    return result
