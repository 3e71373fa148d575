"""What every sandbox view shares: the API-key check, JSON bodies, query parsing, DB calls."""

from __future__ import annotations

import functools
import hmac
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from sandbox import conf, wire
from sandbox.errors import ApiError

T = TypeVar("T")
logger = logging.getLogger(__name__)


def unauthorized() -> HttpResponse:
    return wire.json_response({"message": "Unauthorized", "request_id": uuid.uuid4().hex}, 401)


def authorized(request: HttpRequest) -> bool:
    """Only the install's key, sent as the SDK sends it (`Authorization: Bearer <key>`)."""
    key = conf.api_key()
    scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
    if not key or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), key.encode())


View = Callable[..., Awaitable[HttpResponse]]


def api_view(methods: dict[str, View]) -> View:
    """An async, CSRF-exempt view dispatching on the method. Any key but the install's is 401."""

    @csrf_exempt
    async def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not authorized(request):
            return unauthorized()
        handler = methods.get(request.method or "")
        if handler is None:
            return wire.json_response({"detail": "Method Not Allowed"}, 405)
        try:
            return await handler(request, **kwargs)
        except ApiError as exc:
            return exc.response
        except Exception as exc:  # an SDK client needs a JSON error body, not Django's HTML page
            logger.exception("sandbox: %s %s failed", request.method, request.path)
            return wire.error(500, f"Sandbox internal error: {exc}", code=3000, type_="api_error")

    return view


# The real API refuses absurd nesting too; past this a body would only exhaust the stack later.
MAX_JSON_DEPTH = 64


def _check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
        _check_depth(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(
            wire.validation_error(["body"], f"Invalid JSON: {exc}", "json_invalid")
        ) from exc
    if not isinstance(body, dict):
        raise ApiError(wire.validation_error(["body"], "Input should be an object"))
    return body


def query_int(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        return max(0, int(raw))
    except ValueError as exc:
        raise ApiError(
            wire.validation_error(["query", name], "Input should be an integer")
        ) from exc


def query_metadata(request: HttpRequest) -> dict[str, Any] | None:
    """The `metadata` filter. The SDK sends a sentinel string when unset: anything that is not a
    JSON object counts as absent."""
    raw = request.GET.get("metadata")
    if not raw:
        return None
    try:
        value = json.loads(raw)
        _check_depth(value)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _fresh_connections(fn: Callable[..., T]) -> Callable[..., T]:
    """Run in a pool thread with the per-request connection hygiene Django's signals give views."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            close_old_connections()

    return wrapper


def db(fn: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Database work off the event loop. Not thread-sensitive: concurrent turns must not queue
    behind one shared thread (chart drawing takes tens of milliseconds)."""
    return sync_to_async(_fresh_connections(fn), thread_sensitive=False)
