"""Every write to graphs and agents (workspaces and members: `workspaces.services`). One service
per user action, each atomic.

Callers (API, admin, import, management commands) check access with `selectors` first; services
enforce the domain rules and raise `DomainValidationError` / `RevisionConflict`. Each records one
audit row (`audit.services.audit_record`) inside its own transaction, after its checks pass, so a
refused or rolled-back action leaves none; keep each user action a single service call.

One module per job; this package re-exports the public services so callers keep
`from agents import services` / `from agents.services import x`.
"""

from agents.services.agents import (
    agent_create,
    agent_delete,
    agent_update,
    agent_version_restore,
    handoffs_set,
)
from agents.services.documents import graph_document_save
from agents.services.graphs import graph_create, graph_delete, graph_import, graph_update
from agents.services.history import agent_snapshot

__all__ = [
    "agent_create",
    "agent_delete",
    "agent_snapshot",
    "agent_update",
    "agent_version_restore",
    "graph_create",
    "graph_delete",
    "graph_document_save",
    "graph_import",
    "graph_update",
    "handoffs_set",
]
