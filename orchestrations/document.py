"""The graph document's `orchestrations` section (see agents.portable): exported, checked and
imported with the graph, agents referenced by name as everywhere in the document."""

from __future__ import annotations

from typing import Any

from agents.models import Graph
from agents.portable import Section
from orchestrations.models import Orchestration
from orchestrations.services.orchestrations import MAX_DESCRIPTION
from orchestrations.spec import spec_errors
from workspaces.validation import name_errors

MAX_ORCHESTRATIONS = 100
KEYS = frozenset({"name", "description", "spec"})


def export(graph: Graph) -> list[dict[str, Any]]:
    return [
        {"name": o.name, "description": o.description, "spec": o.spec}
        for o in Orchestration.objects.filter(graph=graph).order_by("name")
    ]


def errors(value: Any, agents: list[str], field: str) -> dict[str, list[str]]:
    if not isinstance(value, list):
        return {field: ["Must be a list of orchestrations."]}
    if len(value) > MAX_ORCHESTRATIONS:
        return {field: [f"At most {MAX_ORCHESTRATIONS} orchestrations."]}
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, item in enumerate(value):
        path = f"{field}[{index}]"
        if not isinstance(item, dict):
            found[path] = ["Must be an orchestration object."]
            continue
        for key in sorted(set(item) - KEYS):
            found[f"{path}.{key}"] = ["Unknown key."]
        found.update(name_errors(item.get("name"), field=f"{path}.name"))
        name = item.get("name")
        if isinstance(name, str):
            if name in seen:
                found.setdefault(f"{path}.name", []).append("Another orchestration has this name.")
            seen.add(name)
        description = item.get("description", "")
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
            found[f"{path}.description"] = [f"Text of at most {MAX_DESCRIPTION} characters."]
        found.update(spec_errors(item.get("spec"), set(agents), field=f"{path}.spec"))
    return found


def load(graph: Graph, value: list[dict[str, Any]], actor) -> None:
    """Called by the graph import, inside its transaction, after `errors` found nothing."""
    Orchestration.objects.bulk_create(
        [
            Orchestration(
                graph=graph,
                name=item["name"],
                description=item.get("description", ""),
                spec=item["spec"],
                created_by=actor,
            )
            for item in value
        ]
    )


SECTION = Section(key="orchestrations", export=export, errors=errors, load=load)
