"""Shared plumbing for the graphs and agents API views: the stale-revision answer (409)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agents.exceptions import RevisionConflict
from workspaces.api import base
from workspaces.api.errors import domain_exception_handler


def graph_exception_handler(exc, context):
    if isinstance(exc, RevisionConflict):
        return Response(
            {
                "revision": [
                    "The graph changed since you loaded it; reload and apply your change again."
                ],
                "current_revision": exc.current,
            },
            status=status.HTTP_409_CONFLICT,
        )
    return domain_exception_handler(exc, context)


class ApiView(base.ApiView):
    def get_exception_handler(self):
        return graph_exception_handler


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
