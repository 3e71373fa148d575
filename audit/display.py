"""How stored JSON is shown to people: the pages, their template filters and the admin share it."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def pretty_json(value: Any, *, sort_keys: bool = True) -> str:
    """Indented JSON text; a string that holds JSON (a model's arguments) is parsed first, any
    other string is shown as it is. Plain text: the caller's template or format_html escapes it.
    `sort_keys=False` keeps the author's order (a model's arguments, a form being edited)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    try:
        return json.dumps(
            value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=sort_keys
        )
    except (TypeError, ValueError):  # keys of mixed types cannot be sorted; odd objects
        return str(value)
