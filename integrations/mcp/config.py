"""An attached MCP server (agents.models.McpServer) as the client's connection settings."""

from __future__ import annotations

from agents.models import McpServer
from integrations.mcp.client import ServerConfig


def server_config(server: McpServer) -> ServerConfig:
    return ServerConfig(
        name=server.name,
        transport=server.transport,
        command=server.command,
        args=list(server.args or []),
        env=dict(server.env or {}),
        url=server.url,
        headers=dict(server.headers or {}),
        timeout_s=float(server.timeout_s),
    )
