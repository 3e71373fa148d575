"""What an agent offers the model beyond its own `tools`: the tools its MCP servers listed, as
Mistral function tools with the same name, description and JSON schema."""

from __future__ import annotations

from typing import Any

from agents.models import Agent, McpServer


def mcp_function_tool(tool: dict[str, Any]) -> dict[str, Any]:
    schema = tool.get("inputSchema") or tool.get("input_schema") or {"type": "object"}
    function: dict[str, Any] = {"name": tool["name"], "parameters": schema}
    if tool.get("description"):
        function["description"] = tool["description"]
    return {"type": "function", "function": function}


def mcp_servers_of(agent: Agent) -> list[McpServer]:
    """By name (the model's ordering); servers `agents_of_graph_listed` (or a prefetch of
    `mcp_servers`) already read are used, not queried again."""
    listed = agent.__dict__.get("listed_mcp_servers")
    if listed is not None:
        return listed
    return list(agent.mcp_servers.all())


def mcp_tool_index(agent: Agent) -> dict[str, McpServer]:
    """Tool name → the server that listed it (the first one, by server name)."""
    index: dict[str, McpServer] = {}
    for server in mcp_servers_of(agent):
        for tool in server.tools or []:
            if isinstance(tool, dict) and tool.get("name"):
                index.setdefault(tool["name"], server)
    return index


def offered_tools(agent: Agent) -> list[dict[str, Any]]:
    """The agent's tools plus its MCP servers' tools (an own function of the same name wins)."""
    tools = list(agent.tools or [])
    own = {
        t["function"].get("name")
        for t in tools
        if isinstance(t, dict)
        and t.get("type") == "function"
        and isinstance(t.get("function"), dict)
    }
    for name, server in mcp_tool_index(agent).items():
        if name in own:
            continue
        tool = next(t for t in server.tools if isinstance(t, dict) and t.get("name") == name)
        tools.append(mcp_function_tool(tool))
    return tools


def mcp_issues(agent: Agent) -> list[tuple[str, str]]:
    """(code, message) per server that cannot serve tools: unreachable, failing or empty."""
    issues = []
    for server in mcp_servers_of(agent):
        if server.tools_error:
            issues.append(("mcp_server_unavailable",
                           f"MCP server {server.name}: {server.tools_error}"))  # fmt: skip
        elif server.tools_listed_at is None:
            issues.append(("mcp_server_not_listed",
                           f"MCP server {server.name} has not listed its tools yet; sync the "
                           "graph or refresh the server."))  # fmt: skip
        elif not server.tools:
            issues.append(("mcp_server_empty", f"MCP server {server.name} lists no tools."))
    return issues
