"""Where a request came from, for the audit rows the services write while handling it.

The middleware stores the client's address, user agent and request line in a context variable;
`audit_record` reads it. Services keep their signatures (no `request` argument), and work done
outside a request (the worker, management commands) simply records no address.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    request: str = ""


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request_context", default=None
)


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return value


def context_from_request(request) -> RequestContext:
    meta = request.META
    ip = meta.get("REMOTE_ADDR")
    # Only behind a proxy that sets it (and strips what clients send) is X-Forwarded-For trusted.
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            ip = forwarded.split(",")[0].strip()
    line = f"{request.method} {request.path}"
    return RequestContext(
        ip=_valid_ip(ip),
        user_agent=meta.get("HTTP_USER_AGENT", "")[:512],
        request=line[:300],
    )


def client_ip(request) -> str | None:
    """The client's address as the audit trail records it; the sign-in lockout counts by it too
    (AXES_CLIENT_IP_CALLABLE), so a spoofed X-Forwarded-For cannot dodge it."""
    return context_from_request(request).ip


def current() -> RequestContext:
    return _current.get() or RequestContext()


@contextmanager
def bound(context: RequestContext) -> Iterator[None]:
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with bound(context_from_request(request)):
            return self.get_response(request)
