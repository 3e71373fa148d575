"""Checks for a whole agent (whichever of its fields are given) and for its handoffs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agents.models import DESCRIPTION_MAX_LENGTH, INSTRUCTIONS_MAX_LENGTH, MODEL_MAX_LENGTH
from agents.validation.common import MAX_POSITION, MODEL_RE, is_number
from agents.validation.completion_args import completion_args_errors
from agents.validation.tools import tools_errors
from workspaces.validation import Errors, add_error, check_text, name_errors

AGENT_CONFIG_FIELDS = (
    "name",
    "description",
    "instructions",
    "model",
    "tools",
    "completion_args",
)


def model_errors(value: Any, *, field: str = "model") -> Errors:
    errors: Errors = {}
    check_text(errors, field, value, max_length=MODEL_MAX_LENGTH, required=True)
    if not errors and not MODEL_RE.match(value):
        add_error(errors, field, "Must be a Mistral model name such as 'mistral-medium-latest'.")
    return errors


def position_errors(value: Any, *, field: str) -> Errors:
    if not is_number(value) or abs(value) > MAX_POSITION:
        return {field: [f"Must be a number between -{MAX_POSITION:g} and {MAX_POSITION:g}."]}
    return {}


def agent_config_errors(fields: Mapping[str, Any]) -> Errors:
    """Check whichever agent fields are present in `fields` (a partial update checks only those)."""
    errors: Errors = {}
    if "name" in fields:
        errors.update(name_errors(fields["name"]))
    if "description" in fields:
        check_text(errors, "description", fields["description"], max_length=DESCRIPTION_MAX_LENGTH)
    if "instructions" in fields:
        check_text(
            errors, "instructions", fields["instructions"], max_length=INSTRUCTIONS_MAX_LENGTH
        )
    if "model" in fields:
        errors.update(model_errors(fields["model"]))
    if "tools" in fields:
        errors.update(tools_errors(fields["tools"]))
    if "completion_args" in fields:
        errors.update(completion_args_errors(fields["completion_args"]))
    for axis in ("position_x", "position_y"):
        if axis in fields:
            errors.update(position_errors(fields[axis], field=axis))
    return errors


def handoff_errors(
    *,
    source_id: Any,
    target_ids: Iterable[Any],
    graph_agent_ids: Iterable[Any],
    field: str = "handoffs",
) -> Errors:
    """Handoffs go to other agents of the same graph, each at most once."""
    errors: Errors = {}
    allowed = {str(a) for a in graph_agent_ids}
    seen: set[str] = set()
    for target in target_ids:
        key = str(target)
        if source_id is not None and key == str(source_id):
            add_error(errors, field, "An agent cannot hand off to itself.")
        elif key not in allowed:
            add_error(errors, field, f"{key} is not an agent of this graph.")
        elif key in seen:
            add_error(errors, field, f"{key} is listed twice.")
        seen.add(key)
    return errors
