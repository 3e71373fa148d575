"""Counts this process's open WebSocket connections for /metrics, around the whole WS stack."""

from __future__ import annotations

from typing import Any

from observability.metrics import websocket_connections


class CountWebSockets:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "websocket":
            await self.app(scope, receive, send)
            return
        websocket_connections.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            websocket_connections.dec()
