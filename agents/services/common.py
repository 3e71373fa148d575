"""What every agents service shares: the graph lock and revision.

A graph's revision moves only when a service actually changed the graph or one of its agents or
edges, so other editors holding the same revision are not told of a conflict that is not there.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from agents.exceptions import RevisionConflict
from agents.models import Graph


def lock_graph(graph: Graph, expected_revision: int | None) -> Graph:
    """Serialize writers of one graph and refuse edits based on a stale revision."""
    locked = Graph.objects.select_for_update().get(pk=graph.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise RevisionConflict(expected=expected_revision, current=locked.revision)
    return locked


def bump_revision(graph: Graph) -> None:
    now = timezone.now()
    Graph.objects.filter(pk=graph.pk).update(revision=F("revision") + 1, updated_at=now)
    graph.revision = Graph.objects.values_list("revision", flat=True).get(pk=graph.pk)
    graph.updated_at = now
