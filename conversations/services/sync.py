"""A person's "sync to the backend", audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.models import Action, Outcome
from audit.services import audit_record
from conversations import backend, sync


def graph_sync_requested(*, actor, graph) -> dict[Any, Any]:
    """A person's "sync to the backend" (the API's POST /graphs/{id}/sync/). The sync talks to
    the network, so it runs outside any transaction and the audit row follows it: a success row
    with what the backend now holds, or a row marked failed with the backend's error. (The worker's
    own sync before each turn is not a human action and is not audited.)"""
    try:
        remotes = sync.graph_sync(graph)  # looked up now: tests replace it
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
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.GRAPH_SYNC,
            obj=graph,
            workspace=graph.workspace,
            after={
                "backend": backend.backend_key(),
                "agents": [
                    {"agent": str(agent_id), "remote_id": r.remote_id, "version": r.remote_version}
                    for agent_id, r in remotes.items()
                ],
            },
        )
    return remotes
