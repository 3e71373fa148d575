"""Listing and calling an MCP server's tools, synchronously, with a time limit.

Each call opens its own connection (a stdio server is started and stopped around it): a turn
is short-lived and the worker's threads share nothing. Every failure — a command that does not
start, a refused connection, a timeout, a protocol error — becomes an `McpError` whose message a
person (or a model reading a tool result) can act on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


class McpError(Exception):
    """An MCP server could not list or run a tool; the message says why."""


@dataclass(frozen=True)
class ServerConfig:
    name: str
    transport: str  # "stdio" | "http"
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 20


def _client(config: ServerConfig) -> Client:
    if config.transport == "stdio":
        if not shutil.which(config.command) and not os.path.isfile(config.command):
            raise McpError(f"the command {config.command!r} was not found")
        params = StdioServerParameters(
            command=config.command, args=list(config.args), env=dict(config.env) or None
        )
        return Client(params, read_timeout_seconds=config.timeout_s)
    http = httpx2.AsyncClient(headers=dict(config.headers), timeout=config.timeout_s)
    return Client(streamable_http_client(config.url, http_client=http),
                  read_timeout_seconds=config.timeout_s)  # fmt: skip


def _describe(exc: BaseException) -> str:
    if isinstance(exc, McpError):
        return str(exc)
    if isinstance(exc, BaseExceptionGroup):  # anyio task groups wrap the real failure
        inner = exc.exceptions[0] if exc.exceptions else exc
        return _describe(inner)
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text[:300]}"


def _run_sync(main) -> Any:
    """anyio.run here, or in a fresh thread when this one already runs an event loop (an async
    caller, a test driving a browser): a loop cannot be started inside another."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return anyio.run(main)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, main).result()


def _run(config: ServerConfig, work) -> Any:
    async def main():
        with anyio.fail_after(config.timeout_s):
            async with _client(config) as client:
                return await work(client)

    try:
        return _run_sync(main)
    except TimeoutError as exc:
        raise McpError(f"{config.name} did not answer within {config.timeout_s:g} s") from exc
    except McpError as exc:
        raise McpError(f"{config.name}: {exc}") from exc
    except BaseException as exc:  # noqa: BLE001 (a group of anything: readable, not a crash)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise McpError(f"{config.name} failed: {_describe(exc)}") from exc


def list_tools(config: ServerConfig) -> list[dict[str, Any]]:
    """The server's tools as plain MCP tool objects ({name, description, inputSchema})."""

    async def work(client: Client) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        cursor = None
        for _ in range(50):  # a paginator that never ends cannot hang a listing
            result = await client.list_tools(cursor=cursor) if cursor else await client.list_tools()
            for tool in result.tools:
                tools.append({
                    "name": tool.name,
                    "description": tool.description or "",
                    "inputSchema": dict(tool.input_schema or {"type": "object"}),
                })  # fmt: skip
            cursor = getattr(result, "next_cursor", None)
            if not cursor:
                break
        return tools

    return _run(config, work)


def call_tool(config: ServerConfig, name: str, arguments: dict[str, Any]) -> tuple[str, bool]:
    """Run a tool: (its result as text, whether the server reported an error)."""

    async def work(client: Client) -> tuple[str, bool]:
        result = await client.call_tool(name, arguments)
        parts = []
        for block in result.content or []:
            text = getattr(block, "text", None)
            parts.append(
                text if isinstance(text, str) else json.dumps(block.model_dump(mode="json"))
            )
        structured = getattr(result, "structured_content", None)
        if not parts and structured is not None:
            parts.append(json.dumps(structured))
        return "\n".join(parts), bool(result.is_error)

    return _run(config, work)
