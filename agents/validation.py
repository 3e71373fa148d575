"""The one place that knows what a valid agent and a healthy graph look like.

Used by the services (so the API, the admin and the import all share it). Field checks return
`{"<field path>": ["message", ...]}` dictionaries, empty when valid; nested paths look like
`tools[0].function.parameters` so a client can point at the exact input.

Rules follow Mistral's agent object (reference/mistral-api.md §2) and the ranges Mistral documents
for completion arguments.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from agents.models import (
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTIONS_MAX_LENGTH,
    MODEL_MAX_LENGTH,
    NAME_MAX_LENGTH,
)

Errors = dict[str, list[str]]

FUNCTION_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MODEL_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._:-]*$")
# Control characters in a name break logs, CSV exports and the canvas labels.
CONTROL_CHARS_RE = re.compile(r"[\x00-\x1f\x7f]")

MAX_TOOLS = 64
MAX_LIBRARY_IDS = 100
MAX_STOP_SEQUENCES = 16
MAX_POSITION = 1_000_000.0
# A JSON Schema or tool list bigger than this is not a configuration, it is an attack.
MAX_JSON_CHARS = 100_000
MAX_JSON_DEPTH = 32

BUILTIN_TOOL_TYPES = frozenset(
    {"web_search", "web_search_premium", "code_interpreter", "image_generation"}
)
TOOL_TYPES = BUILTIN_TOOL_TYPES | {"function", "document_library"}
TOOL_CONFIGURATION_KEYS = frozenset({"include", "exclude", "requires_confirmation"})

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

AGENT_CONFIG_FIELDS = (
    "name",
    "description",
    "instructions",
    "model",
    "tools",
    "completion_args",
)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _is_number(value: Any) -> bool:
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


def _json_too_big(value: Any) -> str | None:
    if json_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        return f"Nested more than {MAX_JSON_DEPTH} levels deep."
    if len(json.dumps(value, ensure_ascii=False, default=str)) > MAX_JSON_CHARS:
        return f"Takes more than {MAX_JSON_CHARS} characters of JSON."
    return None


def _check_text(
    errors: Errors, field: str, value: Any, *, max_length: int, required: bool = False
) -> None:
    if not isinstance(value, str):
        _add(errors, field, "Must be a string.")
        return
    if required and not value.strip():
        _add(errors, field, "This field may not be blank.")
    if len(value) > max_length:
        _add(errors, field, f"Ensure this field has no more than {max_length} characters.")


# --- agent fields ------------------------------------------------------------------------------


def name_errors(value: Any, *, field: str = "name") -> Errors:
    errors: Errors = {}
    _check_text(errors, field, value, max_length=NAME_MAX_LENGTH, required=True)
    if isinstance(value, str) and CONTROL_CHARS_RE.search(value):
        _add(errors, field, "Must not contain control characters.")
    if isinstance(value, str) and value != value.strip():
        _add(errors, field, "Must not start or end with whitespace.")
    return errors


def model_errors(value: Any, *, field: str = "model") -> Errors:
    errors: Errors = {}
    _check_text(errors, field, value, max_length=MODEL_MAX_LENGTH, required=True)
    if not errors and not MODEL_RE.match(value):
        _add(errors, field, "Must be a Mistral model name such as 'mistral-medium-latest'.")
    return errors


def json_schema_errors(schema: Any, *, field: str) -> Errors:
    """`schema` must itself be a valid JSON Schema (checked against its meta-schema)."""
    errors: Errors = {}
    if not isinstance(schema, dict):
        _add(errors, field, "Must be a JSON Schema object.")
        return errors
    try:
        validator = jsonschema.validators.validator_for(schema)
        validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        _add(
            errors,
            field,
            f"Not a valid JSON Schema: {exc.message}" + (f" at {where}" if where else ""),
        )
    except (RecursionError, TypeError, ValueError) as exc:
        _add(errors, field, f"Not a valid JSON Schema: {exc}")
    return errors


def _string_list_errors(errors: Errors, field: str, value: Any, *, max_items: int) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        _add(errors, field, "Must be a list of non-empty strings.")
    elif len(value) > max_items:
        _add(errors, field, f"At most {max_items} items.")


def _tool_configuration_errors(errors: Errors, field: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        _add(errors, field, "Must be an object.")
        return
    for key in sorted(set(value) - TOOL_CONFIGURATION_KEYS):
        _add(errors, f"{field}.{key}", "Unknown key.")
    for key in sorted(set(value) & TOOL_CONFIGURATION_KEYS):
        if value[key] is not None:
            _string_list_errors(errors, f"{field}.{key}", value[key], max_items=MAX_TOOLS)


def _function_tool_errors(errors: Errors, path: str, tool: dict) -> None:
    for key in sorted(set(tool) - {"type", "function"}):
        _add(errors, f"{path}.{key}", "Unknown key for a function tool.")
    function = tool.get("function")
    if not isinstance(function, dict):
        _add(errors, f"{path}.function", "A function tool needs a 'function' object.")
        return
    for key in sorted(set(function) - {"name", "description", "parameters", "strict"}):
        _add(errors, f"{path}.function.{key}", "Unknown key.")
    name = function.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME_RE.match(name):
        _add(
            errors,
            f"{path}.function.name",
            "Must be 1 to 64 letters, digits, underscores or dashes (no spaces or slashes).",
        )
    description = function.get("description")
    if description is not None:
        _check_text(
            errors, f"{path}.function.description", description, max_length=DESCRIPTION_MAX_LENGTH
        )
    if "strict" in function and not isinstance(function["strict"], bool | None):
        _add(errors, f"{path}.function.strict", "Must be true or false.")
    if "parameters" not in function:
        _add(errors, f"{path}.function.parameters", "A JSON Schema object is required.")
        return
    parameters = function["parameters"]
    found = json_schema_errors(parameters, field=f"{path}.function.parameters")
    if not found and parameters.get("type", "object") != "object":
        _add(found, f"{path}.function.parameters", "The schema's type must be 'object'.")
    errors.update(found)


def tools_errors(tools: Any, *, field: str = "tools") -> Errors:
    errors: Errors = {}
    if not isinstance(tools, list):
        _add(errors, field, "Must be a list of tool objects.")
        return errors
    if len(tools) > MAX_TOOLS:
        _add(errors, field, f"At most {MAX_TOOLS} tools.")
        return errors
    if problem := _json_too_big(tools):
        _add(errors, field, problem)
        return errors
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        path = f"{field}[{index}]"
        if not isinstance(tool, dict):
            _add(errors, path, "Must be a tool object.")
            continue
        kind = tool.get("type")
        if kind not in TOOL_TYPES:
            _add(
                errors,
                f"{path}.type",
                f"Unknown tool type {kind!r}; expected one of {', '.join(sorted(TOOL_TYPES))}.",
            )
            continue
        if kind == "function":
            _function_tool_errors(errors, path, tool)
            function = tool.get("function")
            key = f"function:{function.get('name')}" if isinstance(function, dict) else None
        else:
            allowed = {"type", "tool_configuration"} | (
                {"library_ids"} if kind == "document_library" else set()
            )
            for extra in sorted(set(tool) - allowed):
                _add(errors, f"{path}.{extra}", f"Unknown key for a {kind} tool.")
            _tool_configuration_errors(
                errors, f"{path}.tool_configuration", tool.get("tool_configuration")
            )
            if kind == "document_library":
                if "library_ids" not in tool:
                    _add(
                        errors, f"{path}.library_ids", "A document_library tool needs library_ids."
                    )
                else:
                    _string_list_errors(
                        errors,
                        f"{path}.library_ids",
                        tool["library_ids"],
                        max_items=MAX_LIBRARY_IDS,
                    )
                    if tool["library_ids"] == []:
                        _add(errors, f"{path}.library_ids", "At least one library id.")
            key = kind
        if key in seen:
            _add(errors, path, "Duplicate tool.")
        if key:
            seen.add(key)
    return errors


def _response_format_errors(errors: Errors, field: str, value: Any) -> None:
    if not isinstance(value, dict):
        _add(errors, field, "Must be an object.")
        return
    for key in sorted(set(value) - {"type", "json_schema"}):
        _add(errors, f"{field}.{key}", "Unknown key.")
    kind = value.get("type", "text")
    if kind not in RESPONSE_FORMAT_TYPES:
        _add(errors, f"{field}.type", f"Must be one of {', '.join(sorted(RESPONSE_FORMAT_TYPES))}.")
        return
    schema_field = f"{field}.json_schema"
    json_schema = value.get("json_schema")
    if kind != "json_schema":
        if json_schema is not None:
            _add(errors, schema_field, "Only allowed when type is 'json_schema'.")
        return
    if not isinstance(json_schema, dict):
        _add(errors, schema_field, "Required when type is 'json_schema'.")
        return
    for key in sorted(set(json_schema) - {"name", "schema", "description", "strict"}):
        _add(errors, f"{schema_field}.{key}", "Unknown key.")
    name = json_schema.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME_RE.match(name):
        _add(errors, f"{schema_field}.name", "Must be 1 to 64 letters, digits, _ or -.")
    if "schema" not in json_schema:
        _add(errors, f"{schema_field}.schema", "A JSON Schema object is required.")
    else:
        errors.update(json_schema_errors(json_schema["schema"], field=f"{schema_field}.schema"))
    description = json_schema.get("description")
    if description is not None:
        _check_text(
            errors, f"{schema_field}.description", description, max_length=DESCRIPTION_MAX_LENGTH
        )
    if "strict" in json_schema and not isinstance(json_schema["strict"], bool):
        _add(errors, f"{schema_field}.strict", "Must be true or false.")


def completion_args_errors(args: Any, *, field: str = "completion_args") -> Errors:
    errors: Errors = {}
    if not isinstance(args, dict):
        _add(errors, field, "Must be an object.")
        return errors
    if problem := _json_too_big(args):
        _add(errors, field, problem)
        return errors
    for key in sorted(set(args) - COMPLETION_ARG_KEYS):
        _add(
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
            if not _is_number(value) or not low <= value <= high:
                _add(errors, path, f"Must be a number between {low} and {high}.")
        elif key in INTEGER_MINIMUMS:
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or value < INTEGER_MINIMUMS[key]
            ):
                _add(errors, path, f"Must be an integer of at least {INTEGER_MINIMUMS[key]}.")
            elif value > 2**31 - 1:
                _add(errors, path, "Must fit in a 32-bit integer.")
        elif key == "stop":
            if isinstance(value, str):
                continue
            _string_list_errors(errors, path, value, max_items=MAX_STOP_SEQUENCES)
        elif key == "tool_choice":
            if value not in TOOL_CHOICES:
                _add(errors, path, f"Must be one of {', '.join(sorted(TOOL_CHOICES))}.")
        elif key == "reasoning_effort":
            if value not in REASONING_EFFORTS:
                _add(errors, path, f"Must be one of {', '.join(sorted(REASONING_EFFORTS))}.")
        elif key == "prediction":
            if (
                not isinstance(value, dict)
                or value.get("type", "content") != "content"
                or not isinstance(value.get("content", ""), str)
                or set(value) - {"type", "content"}
            ):
                _add(errors, path, 'Must be {"type": "content", "content": "<text>"}.')
        elif key == "response_format":
            _response_format_errors(errors, path, value)
    return errors


def position_errors(value: Any, *, field: str) -> Errors:
    if not _is_number(value) or abs(value) > MAX_POSITION:
        return {field: [f"Must be a number between -{MAX_POSITION:g} and {MAX_POSITION:g}."]}
    return {}


def agent_config_errors(fields: Mapping[str, Any]) -> Errors:
    """Check whichever agent fields are present in `fields` (a partial update checks only those)."""
    errors: Errors = {}
    if "name" in fields:
        errors.update(name_errors(fields["name"]))
    if "description" in fields:
        _check_text(errors, "description", fields["description"], max_length=DESCRIPTION_MAX_LENGTH)
    if "instructions" in fields:
        _check_text(
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
            _add(errors, field, "An agent cannot hand off to itself.")
        elif key not in allowed:
            _add(errors, field, f"{key} is not an agent of this graph.")
        elif key in seen:
            _add(errors, field, f"{key} is listed twice.")
        seen.add(key)
    return errors


# --- graph health ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphNode:
    """What graph validation needs to know about one agent (built from rows or a document)."""

    id: str | None
    name: str
    description: str
    tools: list
    handoffs: list[str]  # target names
    config_errors: Errors


def _issue(node: GraphNode | None, code: str, message: str) -> dict[str, Any]:
    return {
        "agent": node.id if node else None,
        "agent_name": node.name if node else None,
        "code": code,
        "message": message,
    }


def _cycles(nodes: dict[str, GraphNode]) -> list[list[str]]:
    """Strongly connected components with more than one agent (Tarjan), each sorted by name."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def visit(name: str) -> None:  # graphs here are tens of agents; recursion depth is fine
        nonlocal counter
        index[name] = low[name] = counter
        counter += 1
        stack.append(name)
        on_stack.add(name)
        for target in nodes[name].handoffs:
            if target not in nodes:
                continue
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for name in sorted(nodes):
        if name not in index:
            visit(name)
    return sorted(components)


def graph_report(nodes: list[GraphNode], entry_name: str | None) -> dict[str, list[dict]]:
    """Errors stop a graph from running; warnings point at likely routing problems."""
    by_name = {node.name: node for node in nodes}
    errors: list[dict] = []
    warnings: list[dict] = []

    if entry_name is None or entry_name not in by_name:
        errors.append(_issue(None, "no_entry_agent", "The graph has no entry agent."))
    for node in nodes:
        for field, messages in sorted(node.config_errors.items()):
            errors.append(_issue(node, "invalid_agent", f"{field}: {' '.join(messages)}"))

    if entry_name in by_name:
        reachable = {entry_name}
        frontier = [entry_name]
        while frontier:
            for target in by_name[frontier.pop()].handoffs:
                if target in by_name and target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        for node in nodes:
            if node.name not in reachable:
                warnings.append(
                    _issue(node, "unreachable", f"{node.name} cannot be reached from {entry_name}.")
                )

    for component in _cycles(by_name):
        warnings.append(
            _issue(
                by_name[component[0]],
                "handoff_cycle",
                "These agents can hand off to each other in a loop: " + ", ".join(component) + ".",
            )
        )

    targets = {t for node in nodes for t in node.handoffs}
    for node in nodes:
        tool_types = {t.get("type") for t in node.tools if isinstance(t, dict)}
        if node.handoffs and tool_types & {"web_search", "web_search_premium"}:
            warnings.append(
                _issue(
                    node,
                    "web_search_with_handoffs",
                    "Mistral fails agents that have both web search and handoffs with "
                    '"Response failed during handoff orchestration"; move web search to its '
                    "own agent.",
                )
            )
        if node.name in targets and not node.description.strip():
            warnings.append(
                _issue(
                    node,
                    "handoff_target_without_description",
                    "Handoff targets are chosen by their description; give this agent one.",
                )
            )
        for tool in node.tools:
            if (
                isinstance(tool, dict)
                and tool.get("type") == "function"
                and isinstance(tool.get("function"), dict)
                and not str(tool["function"].get("description") or "").strip()
            ):
                warnings.append(
                    _issue(
                        node,
                        "function_without_description",
                        f"The function {tool['function'].get('name')} has no description; the "
                        "model decides when to call it from the description.",
                    )
                )
    return {"errors": errors, "warnings": warnings}
