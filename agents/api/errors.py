"""Turn domain exceptions into the API's error shapes.

The project-wide DRF exception handler is left alone; our views opt in through `DomainErrorsMixin`.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from agents.exceptions import DomainValidationError, RevisionConflict, StateConflict


def domain_exception_handler(exc, context):
    if isinstance(exc, DomainValidationError):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
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
    if isinstance(exc, StateConflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


class DomainErrorsMixin:
    def get_exception_handler(self):
        return domain_exception_handler
