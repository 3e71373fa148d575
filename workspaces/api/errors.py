"""Turn domain exceptions into the API's error shapes.

The project-wide DRF exception handler is left alone; our views opt in through `DomainErrorsMixin`
(apps with errors of their own extend `domain_exception_handler`, as agents does for revisions).
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from workspaces.exceptions import DomainValidationError, StateConflict


def domain_exception_handler(exc, context):
    if isinstance(exc, DomainValidationError):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StateConflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


class DomainErrorsMixin:
    def get_exception_handler(self):
        return domain_exception_handler
