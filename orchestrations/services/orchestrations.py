"""Orchestrations: create, change and delete, versioned with their graph.

An orchestration is part of its graph: every change takes the graph's lock, may be refused on a
stale revision (409, like the editor's changes) and bumps the revision.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from agents.models import Graph
from agents.services.common import bump_revision, lock_graph
from audit.models import Action
from audit.services import audit_record
from orchestrations.models import Orchestration
from orchestrations.spec import spec_errors
from workspaces.exceptions import DomainValidationError
from workspaces.services.common import User
from workspaces.validation import name_errors

UNSET: Any = object()
MAX_DESCRIPTION = 2_000


def _errors(graph: Graph, *, name: Any, description: Any, spec: Any, exclude=None) -> dict:
    errors = {}
    if name is not UNSET:
        errors.update(name_errors(name))
        if not errors and (
            Orchestration.objects.filter(graph=graph, name=name).exclude(pk=exclude).exists()
        ):
            errors["name"] = ["Another orchestration of this graph has this name."]
    if description is not UNSET and (
        not isinstance(description, str) or len(description) > MAX_DESCRIPTION
    ):
        errors["description"] = [f"Must be text of at most {MAX_DESCRIPTION} characters."]
    if spec is not UNSET:
        errors.update(spec_errors(spec, set(graph.agents.values_list("name", flat=True))))
    return errors


def _state(orchestration: Orchestration) -> dict[str, Any]:
    return {
        "name": orchestration.name,
        "description": orchestration.description,
        "spec": orchestration.spec,
    }


@transaction.atomic
def orchestration_create(
    *,
    actor: User,
    graph: Graph,
    name: Any,
    spec: Any,
    description: Any = "",
    expected_revision: int | None = None,
    audit: bool = True,
) -> Orchestration:
    locked = lock_graph(graph, expected_revision)
    errors = _errors(locked, name=name, description=description, spec=spec)
    if errors:
        raise DomainValidationError(errors)
    orchestration = Orchestration.objects.create(
        graph=locked, name=name, description=description, spec=spec, created_by=actor
    )
    bump_revision(locked)
    if audit:
        audit_record(
            actor=actor,
            action=Action.ORCHESTRATION_CREATE,
            obj=orchestration,
            workspace=locked.workspace,
            after={**_state(orchestration), "graph": str(locked.pk), "revision": locked.revision},
        )
    return orchestration


@transaction.atomic
def orchestration_update(
    *,
    actor: User,
    orchestration: Orchestration,
    name: Any = UNSET,
    description: Any = UNSET,
    spec: Any = UNSET,
    expected_revision: int | None = None,
) -> Orchestration:
    locked = lock_graph(orchestration.graph, expected_revision)
    errors = _errors(
        locked, name=name, description=description, spec=spec, exclude=orchestration.pk
    )
    if errors:
        raise DomainValidationError(errors)
    before = _state(orchestration)
    for field, value in (("name", name), ("description", description), ("spec", spec)):
        if value is not UNSET:
            setattr(orchestration, field, value)
    after = _state(orchestration)
    changed = {key for key in after if after[key] != before[key]}
    if not changed:
        return orchestration  # nothing differs: the revision stays
    orchestration.save()
    bump_revision(locked)
    orchestration.graph = locked
    audit_record(
        actor=actor,
        action=Action.ORCHESTRATION_UPDATE,
        obj=orchestration,
        workspace=locked.workspace,
        before={key: before[key] for key in changed},
        after={**{key: after[key] for key in changed}, "revision": locked.revision},
    )
    return orchestration


@transaction.atomic
def orchestration_delete(
    *, actor: User, orchestration: Orchestration, expected_revision: int | None = None
) -> None:
    locked = lock_graph(orchestration.graph, expected_revision)
    audit_record(
        actor=actor,
        action=Action.ORCHESTRATION_DELETE,
        obj=orchestration,
        workspace=locked.workspace,
        before=_state(orchestration),
    )
    orchestration.delete()  # its runs stay (orchestration set null), with their spec snapshot
    bump_revision(locked)
