"""The order of workspace roles, which every access check relies on."""

from __future__ import annotations

from workspaces.roles import Role, role_at_least


def test_roles_are_ordered():
    assert [Role.rank(r) for r in ("viewer", "operator", "editor", "admin")] == [0, 1, 2, 3]
    assert role_at_least(Role.EDITOR, Role.OPERATOR)
    assert role_at_least(Role.ADMIN, Role.ADMIN)
    assert not role_at_least(Role.OPERATOR, Role.EDITOR)
    assert not role_at_least(None, Role.VIEWER)
    assert not role_at_least("owner", Role.VIEWER)
