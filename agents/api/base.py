"""Shared plumbing for the agents API views."""

from __future__ import annotations

from typing import Any

from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.serializers import Serializer

from agents.api.errors import DomainErrorsMixin


class ApiView(DomainErrorsMixin, generics.GenericAPIView):
    """Views validate input with a serializer, call one service, and render with another."""

    def validated(self, serializer_class: type[Serializer], data: Any = None) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def revision_from_query(request: Request) -> int | None:
    """DELETE has no body by convention, so its optional revision comes as `?revision=`."""
    raw = request.query_params.get("revision")
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"revision": ["A valid integer is required."]}) from None
    if value < 0:
        raise ValidationError({"revision": ["Must be at least 0."]})
    return value
