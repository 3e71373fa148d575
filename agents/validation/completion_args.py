"""Checks for an agent's `completion_args`, with the ranges Mistral documents for them."""

from __future__ import annotations

from typing import Any

from agents.models import DESCRIPTION_MAX_LENGTH
from agents.validation.common import (
    FUNCTION_NAME_RE,
    is_number,
    json_schema_errors,
    json_too_big,
    string_list_errors,
)
from workspaces.validation import Errors, add_error, check_text

MAX_STOP_SEQUENCES = 16

# Ranges from Mistral's API reference (chat completion request); `None` means "unset" there.
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 1.5),
    "top_p": (0.0, 1.0),
    "presence_penalty": (-2.0, 2.0),
    "frequency_penalty": (-2.0, 2.0),
}
INTEGER_MINIMUMS: dict[str, int] = {"max_tokens": 0, "random_seed": 0}
TOOL_CHOICES = frozenset({"auto", "none", "any", "required"})
REASONING_EFFORTS = frozenset({"none", "minimal", "low", "medium", "high", "xhigh", "max"})
RESPONSE_FORMAT_TYPES = frozenset({"text", "json_object", "json_schema"})
COMPLETION_ARG_KEYS = frozenset(
    {
        *NUMBER_RANGES,
        *INTEGER_MINIMUMS,
        "stop",
        "prediction",
        "response_format",
        "tool_choice",
        "reasoning_effort",
    }
)


def _response_format_errors(errors: Errors, field: str, value: Any) -> None:
    if not isinstance(value, dict):
        add_error(errors, field, "Must be an object.")
        return
    for key in sorted(set(value) - {"type", "json_schema"}):
        add_error(errors, f"{field}.{key}", "Unknown key.")
    kind = value.get("type", "text")
    if kind not in RESPONSE_FORMAT_TYPES:
        add_error(
            errors, f"{field}.type", f"Must be one of {', '.join(sorted(RESPONSE_FORMAT_TYPES))}."
        )
        return
    schema_field = f"{field}.json_schema"
    json_schema = value.get("json_schema")
    if kind != "json_schema":
        if json_schema is not None:
            add_error(errors, schema_field, "Only allowed when type is 'json_schema'.")
        return
    if not isinstance(json_schema, dict):
        add_error(errors, schema_field, "Required when type is 'json_schema'.")
        return
    for key in sorted(set(json_schema) - {"name", "schema", "description", "strict"}):
        add_error(errors, f"{schema_field}.{key}", "Unknown key.")
    name = json_schema.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME_RE.match(name):
        add_error(errors, f"{schema_field}.name", "Must be 1 to 64 letters, digits, _ or -.")
    if "schema" not in json_schema:
        add_error(errors, f"{schema_field}.schema", "A JSON Schema object is required.")
    else:
        errors.update(json_schema_errors(json_schema["schema"], field=f"{schema_field}.schema"))
    description = json_schema.get("description")
    if description is not None:
        check_text(
            errors, f"{schema_field}.description", description, max_length=DESCRIPTION_MAX_LENGTH
        )
    if "strict" in json_schema and not isinstance(json_schema["strict"], bool):
        add_error(errors, f"{schema_field}.strict", "Must be true or false.")


def completion_args_errors(args: Any, *, field: str = "completion_args") -> Errors:
    errors: Errors = {}
    if not isinstance(args, dict):
        add_error(errors, field, "Must be an object.")
        return errors
    if problem := json_too_big(args):
        add_error(errors, field, problem)
        return errors
    for key in sorted(set(args) - COMPLETION_ARG_KEYS):
        add_error(
            errors,
            f"{field}.{key}",
            "Unknown completion argument; expected one of "
            + ", ".join(sorted(COMPLETION_ARG_KEYS))
            + ".",
        )
    for key, value in args.items():
        path = f"{field}.{key}"
        if value is None or key not in COMPLETION_ARG_KEYS:
            continue  # Mistral treats null as "unset"
        if key in NUMBER_RANGES:
            low, high = NUMBER_RANGES[key]
            if not is_number(value) or not low <= value <= high:
                add_error(errors, path, f"Must be a number between {low} and {high}.")
        elif key in INTEGER_MINIMUMS:
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or value < INTEGER_MINIMUMS[key]
            ):
                add_error(errors, path, f"Must be an integer of at least {INTEGER_MINIMUMS[key]}.")
            elif value > 2**31 - 1:
                add_error(errors, path, "Must fit in a 32-bit integer.")
        elif key == "stop":
            if isinstance(value, str):
                continue
            string_list_errors(errors, path, value, max_items=MAX_STOP_SEQUENCES)
        elif key == "tool_choice":
            if value not in TOOL_CHOICES:
                add_error(errors, path, f"Must be one of {', '.join(sorted(TOOL_CHOICES))}.")
        elif key == "reasoning_effort":
            if value not in REASONING_EFFORTS:
                add_error(errors, path, f"Must be one of {', '.join(sorted(REASONING_EFFORTS))}.")
        elif key == "prediction":
            if (
                not isinstance(value, dict)
                or value.get("type", "content") != "content"
                or not isinstance(value.get("content", ""), str)
                or set(value) - {"type", "content"}
            ):
                add_error(errors, path, 'Must be {"type": "content", "content": "<text>"}.')
        elif key == "response_format":
            _response_format_errors(errors, path, value)
    return errors
