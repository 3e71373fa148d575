"""Tools the worker executes itself: Python-registered functions (@agent_function) and the
tools of the calling agent's MCP servers. Each runs within its time limit; a failure becomes a
result the model can read, never a stuck turn."""

from __future__ import annotations

import json
from typing import Any

from agents.mcp_tools import mcp_tool_index
from agents.models import Agent
from conversations import functions
from integrations.mcp.client import McpError, call_tool
from integrations.mcp.config import server_config


def worker_tool_kind(agent: Agent | None, name: str) -> str | None:
    """`mcp` or `python` when the worker can run this tool for this agent, else None."""
    if agent is not None and name in mcp_tool_index(agent):
        return "mcp"
    return "python" if functions.is_registered(name) else None


def run_worker_tool(agent: Agent | None, name: str, arguments: dict[str, Any]) -> str:
    if agent is not None and (server := mcp_tool_index(agent).get(name)) is not None:
        try:
            text, failed = call_tool(server_config(server), name, arguments)
        except McpError as exc:
            return json.dumps({"error": f"The MCP tool {name} could not run: {exc}"})
        if failed:
            return json.dumps({"error": f"The MCP tool {name} failed: {text or 'no detail'}"})
        return text
    return functions.run(name, arguments)
