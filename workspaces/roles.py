"""Workspace roles. Each role includes everything the roles below it may do."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"  # reads everything in the workspace
    OPERATOR = "operator", "Operator"  # also starts conversations and answers pending actions
    EDITOR = "editor", "Editor"  # also edits graphs and agents
    ADMIN = "admin", "Admin"  # also manages members

    @classmethod
    def rank(cls, role: str) -> int:
        """Position in the hierarchy (viewer = 0); unknown roles rank below everyone."""
        order = [cls.VIEWER, cls.OPERATOR, cls.EDITOR, cls.ADMIN]
        try:
            return order.index(cls(role))
        except ValueError:
            return -1


def role_at_least(role: str | None, minimum: str) -> bool:
    """True when `role` grants at least what `minimum` grants; no membership grants nothing."""
    if role is None:
        return False
    return Role.rank(role) >= Role.rank(minimum) >= 0
