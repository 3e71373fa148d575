"""The WebSocket handshake's Origin check, the same rule as Django's CSRF Origin check.

Browsers send Origin on every WebSocket handshake and attach the site's cookies whatever page
opened the socket; a cookie is shared by every port of a host, so a page on another port (or over
plain http) of the same host could otherwise read a signed-in user's sockets. The Origin must
therefore equal this request's own origin (scheme, host and port, as `request.get_host()` and
`request.is_secure()` see them) or be one of CSRF_TRUSTED_ORIGINS.

A handshake without Origin comes from a non-browser client, which has no ambient cookie worth
stealing and must authenticate with its own token: it goes on to the consumers' access checks.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.utils.http import is_same_domain


class _HandshakeRequest(ASGIRequest):
    """The handshake seen as Django sees an HTTP request, so Host, ALLOWED_HOSTS,
    USE_X_FORWARDED_HOST and SECURE_PROXY_SSL_HEADER mean exactly what they mean for HTTP."""

    def __init__(self, scope):
        super().__init__(dict(scope, method="GET"), io.BytesIO())

    def _get_scheme(self):
        return "https" if self.scope.get("scheme") in {"wss", "https"} else "http"


def _header(scope, name: bytes) -> list[str]:
    return [value.decode("latin1") for key, value in scope.get("headers", []) if key == name]


def origin_allowed(scope, origin: str) -> bool:
    request = _HandshakeRequest(scope)
    try:
        own = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
    except DisallowedHost:
        own = None
    if origin == own:
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in {o for o in trusted if "*" not in o}:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    wildcards = [urlsplit(o) for o in trusted if "*" in o]
    return any(
        parsed.scheme == w.scheme and is_same_domain(parsed.netloc, w.netloc.lstrip("*"))
        for w in wildcards
    )


class BrowserOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("BrowserOriginValidator only handles WebSocket connections")
        origins = _header(scope, b"origin")
        # Two Origin headers are no browser's doing: refuse rather than pick one.
        if not origins or (len(origins) == 1 and origin_allowed(scope, origins[0])):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)


def browser_origin_validator(application):
    return BrowserOriginValidator(application)
