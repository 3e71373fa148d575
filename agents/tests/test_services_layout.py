"""agents.services stays split by job: every module under 400 lines, no module reaching into
another's private (underscore) names, and every service callers use importable from its app's
package (`agents.services`, `workspaces.services`)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import agents.services

PUBLIC = {
    "workspaces.services": [
        "workspace_create",
        "workspace_update",
        "workspace_delete",
        "membership_add",
        "membership_change",
        "membership_remove",
        "invitation_create",
        "invitation_accept",
        "invitation_decline",
        "invitation_revoke",
        "token_create",
        "token_revoke",
    ],
    "agents.services": [
        "graph_create",
        "graph_update",
        "graph_delete",
        "graph_import",
        "agent_create",
        "agent_update",
        "agent_delete",
        "agent_version_restore",
        "handoffs_set",
        "agent_snapshot",
    ],
}


def _source_files() -> list[Path]:
    origin = Path(agents.services.__file__)
    return sorted(origin.parent.glob("*.py")) if origin.name == "__init__.py" else [origin]


def test_services_are_modules_under_400_lines_sharing_no_private_names():
    sizes = {p.name: len(p.read_text().splitlines()) for p in _source_files()}
    assert len(sizes) > 1, "agents.services is one module again"
    assert {name: n for name, n in sizes.items() if n >= 400} == {}
    offenders = []
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("agents"):
                offenders += [
                    f"{path.name}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert offenders == []


def test_public_services_are_importable_from_the_package():
    missing = [
        f"{package}.{name}"
        for package, names in PUBLIC.items()
        for name in names
        if not callable(getattr(importlib.import_module(package), name, None))
    ]
    assert missing == []
