"""The error every sandbox layer raises to answer with a ready HTTP response."""

from __future__ import annotations

from django.http import HttpResponse


class ApiError(Exception):
    """Carries the HTTP response the view should return instead of a turn."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response
