"""Domain errors raised by the services of every app; the API, the admin and the pages
translate them (`workspaces.api.errors`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.http import Http404


class DomainValidationError(Exception):
    """Input that breaks a rule. `errors` maps a field path (e.g. `tools[0].function.name`) to
    messages, which is exactly the shape of a DRF 400 body."""

    def __init__(self, errors: Mapping[str, Sequence[str] | str]):
        self.errors: dict[str, list[str]] = {
            field: [messages] if isinstance(messages, str) else list(messages)
            for field, messages in errors.items()
        }
        super().__init__(self.errors)


class ObjectGone(Http404):
    """The object was deleted by a concurrent request after the caller looked it up. A 404, like
    any missing object: it subclasses Http404 so Django, DRF and the admin all answer that way."""


class StateConflict(Exception):
    """The object is no longer in the state the action needs (HTTP 409), e.g. an invitation that
    was already accepted, declined, revoked or has expired."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)
