"""The graph's own domain error; the shared ones are in `workspaces.exceptions`."""

from __future__ import annotations


class RevisionConflict(Exception):
    """The caller edited an older revision of the graph than the one stored (HTTP 409)."""

    def __init__(self, *, expected: int, current: int):
        self.expected = expected
        self.current = current
        super().__init__(f"revision {expected} is stale; the graph is at revision {current}")
