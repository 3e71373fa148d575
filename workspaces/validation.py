"""The rules every name follows (workspaces, graphs, agents): the error dictionary and the
text checks the apps above build their field checks on."""

from __future__ import annotations

import re
from typing import Any

from workspaces.models import NAME_MAX_LENGTH

Errors = dict[str, list[str]]

# Control characters in a name break logs, CSV exports and the canvas labels.
CONTROL_CHARS_RE = re.compile(r"[\x00-\x1f\x7f]")


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_text(
    errors: Errors, field: str, value: Any, *, max_length: int, required: bool = False
) -> None:
    if not isinstance(value, str):
        add_error(errors, field, "Must be a string.")
        return
    if required and not value.strip():
        add_error(errors, field, "This field may not be blank.")
    if len(value) > max_length:
        add_error(errors, field, f"Ensure this field has no more than {max_length} characters.")


def name_errors(value: Any, *, field: str = "name") -> Errors:
    errors: Errors = {}
    check_text(errors, field, value, max_length=NAME_MAX_LENGTH, required=True)
    if isinstance(value, str) and CONTROL_CHARS_RE.search(value):
        add_error(errors, field, "Must not contain control characters.")
    if isinstance(value, str) and value != value.strip():
        add_error(errors, field, "Must not start or end with whitespace.")
    return errors
