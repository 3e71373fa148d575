"""The one way request JSON is decoded: the API's default parser and every form or view that
reads JSON sent by a client.

Python's decoder recurses once per nesting level, so a body of a few thousand `[` raises
RecursionError (a 500) instead of a ValueError; and a document that does decode but is hundreds
of levels deep makes the recursive code after it (validators, serializers, the JSON encoder of
the database) fail the same way. Nothing we accept needs more than a few dozen levels.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Above every field's own depth check (agents.validation), so those still name the field.
DEFAULT_MAX_DEPTH = 100


class JSONBodyError(ValueError):
    """Undecodable or too deeply nested JSON; a ValueError so existing `except ValueError`
    handlers of json.loads keep working."""


def max_depth() -> int:
    return getattr(settings, "JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)


def check_depth(value: Any, limit: int | None = None) -> None:
    """Raise JSONBodyError when containers nest deeper than `limit` (iterative: no recursion)."""
    limit = max_depth() if limit is None else limit
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise JSONBodyError(f"JSON is nested too deeply (more than {limit} levels).")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def loads(raw: str | bytes | bytearray, *, limit: int | None = None) -> Any:
    """json.loads that raises only JSONBodyError (a ValueError) on hostile input."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise JSONBodyError(
            f"JSON is nested too deeply (more than {max_depth() if limit is None else limit} "
            "levels)."
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise JSONBodyError(f"Not valid JSON: {exc}.") from None
    check_depth(value, limit)
    return value


class SafeJSONParser(JSONParser):
    """DRF's JSON parser plus the depth limit: a 400 naming the body, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                {"body": [f"JSON is nested too deeply (more than {max_depth()} levels)."]}
            ) from None
        try:
            check_depth(data)
        except JSONBodyError as exc:
            raise ParseError({"body": [str(exc)]}) from None
        return data
