"""Shared plumbing for the API views of every app."""

from __future__ import annotations

from typing import Any

from rest_framework import generics
from rest_framework.serializers import Serializer

from workspaces.api.errors import DomainErrorsMixin


class ApiView(DomainErrorsMixin, generics.GenericAPIView):
    """Views validate input with a serializer, call one service, and render with another."""

    def validated(self, serializer_class: type[Serializer], data: Any = None) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
