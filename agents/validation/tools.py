"""Checks for an agent's `tools`: Mistral's tool objects (reference/mistral-api.md §2)."""

from __future__ import annotations

from typing import Any

from agents.models import DESCRIPTION_MAX_LENGTH
from agents.validation.common import (
    FUNCTION_NAME_RE,
    json_schema_errors,
    json_too_big,
    string_list_errors,
)
from workspaces.validation import Errors, add_error, check_text

MAX_TOOLS = 64
MAX_LIBRARY_IDS = 100

BUILTIN_TOOL_TYPES = frozenset(
    {"web_search", "web_search_premium", "code_interpreter", "image_generation"}
)
TOOL_TYPES = BUILTIN_TOOL_TYPES | {"function", "document_library"}
TOOL_CONFIGURATION_KEYS = frozenset({"include", "exclude", "requires_confirmation"})


def _tool_configuration_errors(errors: Errors, field: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        add_error(errors, field, "Must be an object.")
        return
    for key in sorted(set(value) - TOOL_CONFIGURATION_KEYS):
        add_error(errors, f"{field}.{key}", "Unknown key.")
    for key in sorted(set(value) & TOOL_CONFIGURATION_KEYS):
        if value[key] is not None:
            string_list_errors(errors, f"{field}.{key}", value[key], max_items=MAX_TOOLS)


def _function_tool_errors(errors: Errors, path: str, tool: dict) -> None:
    for key in sorted(set(tool) - {"type", "function"}):
        add_error(errors, f"{path}.{key}", "Unknown key for a function tool.")
    function = tool.get("function")
    if not isinstance(function, dict):
        add_error(errors, f"{path}.function", "A function tool needs a 'function' object.")
        return
    for key in sorted(set(function) - {"name", "description", "parameters", "strict"}):
        add_error(errors, f"{path}.function.{key}", "Unknown key.")
    name = function.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME_RE.match(name):
        add_error(
            errors,
            f"{path}.function.name",
            "Must be 1 to 64 letters, digits, underscores or dashes (no spaces or slashes).",
        )
    description = function.get("description")
    if description is not None:
        check_text(
            errors, f"{path}.function.description", description, max_length=DESCRIPTION_MAX_LENGTH
        )
    if "strict" in function and not isinstance(function["strict"], bool | None):
        add_error(errors, f"{path}.function.strict", "Must be true or false.")
    if "parameters" not in function:
        add_error(errors, f"{path}.function.parameters", "A JSON Schema object is required.")
        return
    parameters = function["parameters"]
    found = json_schema_errors(parameters, field=f"{path}.function.parameters")
    if not found and parameters.get("type", "object") != "object":
        add_error(found, f"{path}.function.parameters", "The schema's type must be 'object'.")
    errors.update(found)


def tools_errors(tools: Any, *, field: str = "tools") -> Errors:
    errors: Errors = {}
    if not isinstance(tools, list):
        add_error(errors, field, "Must be a list of tool objects.")
        return errors
    if len(tools) > MAX_TOOLS:
        add_error(errors, field, f"At most {MAX_TOOLS} tools.")
        return errors
    if problem := json_too_big(tools):
        add_error(errors, field, problem)
        return errors
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        path = f"{field}[{index}]"
        if not isinstance(tool, dict):
            add_error(errors, path, "Must be a tool object.")
            continue
        kind = tool.get("type")
        if kind not in TOOL_TYPES:
            add_error(
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
                add_error(errors, f"{path}.{extra}", f"Unknown key for a {kind} tool.")
            _tool_configuration_errors(
                errors, f"{path}.tool_configuration", tool.get("tool_configuration")
            )
            if kind == "document_library":
                if "library_ids" not in tool:
                    add_error(
                        errors, f"{path}.library_ids", "A document_library tool needs library_ids."
                    )
                else:
                    string_list_errors(
                        errors,
                        f"{path}.library_ids",
                        tool["library_ids"],
                        max_items=MAX_LIBRARY_IDS,
                    )
                    if tool["library_ids"] == []:
                        add_error(errors, f"{path}.library_ids", "At least one library id.")
            key = kind
        if key in seen:
            add_error(errors, path, "Duplicate tool.")
        if key:
            seen.add(key)
    return errors
