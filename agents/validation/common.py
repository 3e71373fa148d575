"""What every field check shares: the error dictionary, size limits and small checkers (the text
rules every name follows come from `workspaces.validation`)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import jsonschema

from workspaces.validation import Errors, add_error

FUNCTION_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MODEL_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._:-]*$")

MAX_POSITION = 1_000_000.0
# A JSON Schema or tool list bigger than this is not a configuration, it is an attack.
MAX_JSON_CHARS = 100_000
MAX_JSON_DEPTH = 32


def is_number(value: Any) -> bool:
    # bool is an int subclass; `true` is not a temperature.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def json_depth(value: Any, limit: int) -> int:
    """Nesting depth, counted iteratively and capped at `limit + 1`: hostile, deeply nested JSON
    must not reach the recursive serializers and validators below."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return deepest


def json_too_big(value: Any) -> str | None:
    if json_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        return f"Nested more than {MAX_JSON_DEPTH} levels deep."
    if len(json.dumps(value, ensure_ascii=False, default=str)) > MAX_JSON_CHARS:
        return f"Takes more than {MAX_JSON_CHARS} characters of JSON."
    return None


def json_schema_errors(schema: Any, *, field: str) -> Errors:
    """`schema` must itself be a valid JSON Schema (checked against its meta-schema)."""
    errors: Errors = {}
    if not isinstance(schema, dict):
        add_error(errors, field, "Must be a JSON Schema object.")
        return errors
    try:
        validator = jsonschema.validators.validator_for(schema)
        validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        add_error(
            errors,
            field,
            f"Not a valid JSON Schema: {exc.message}" + (f" at {where}" if where else ""),
        )
    except (RecursionError, TypeError, ValueError) as exc:
        add_error(errors, field, f"Not a valid JSON Schema: {exc}")
    return errors


def string_list_errors(errors: Errors, field: str, value: Any, *, max_items: int) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        add_error(errors, field, "Must be a list of non-empty strings.")
    elif len(value) > max_items:
        add_error(errors, field, f"At most {max_items} items.")
