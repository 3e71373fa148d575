"""The graph document's per-agent tool keys (see agents.portable): each agent's `tool_policy`
and `mcp_servers`, exported, checked and loaded with the graph. MCP secrets never leave: a
server's env and header values export empty (their names kept, and a note saying so), and in
an editor save an empty value keeps the stored secret. stdio servers, commands the worker runs
on its host, are only imported or changed by workspace admins, as in the API."""

from __future__ import annotations

from typing import Any

from agents.models import Agent, McpServer
from agents.portable import AgentSection
from conversations import tool_policy
from conversations.services.mcp import (
    agent_tool_policy_set,
    mcp_server_field_errors,
    mcp_server_portable,
    mcp_servers_replace,
)
from workspaces.models import Membership
from workspaces.roles import Role, role_at_least

MAX_SERVERS = 20


def _policy_errors(value: Any, path: str, **_: Any) -> dict[str, list[str]]:
    try:
        tool_policy.clean_policy(value)
    except tool_policy.PolicyInvalid as exc:
        # clean_policy names fields from `tool_policy` (tool_policy.rules.0.decision).
        return {path + exc.field.removeprefix("tool_policy"): [exc.message]}
    return {}


def _policy_load(agent: Agent, value: Any, actor) -> bool:
    if tool_policy.clean_policy(value) == (agent.tool_policy or {}):
        return False
    agent_tool_policy_set(actor=actor, agent=agent, policy=value)
    return True


def _is_admin(actor, workspace) -> bool:
    role = (
        Membership.objects.filter(workspace=workspace, user=actor)
        .values_list("role", flat=True)
        .first()
    )
    return role_at_least(role, Role.ADMIN)


def _stdio_unchanged(item: dict[str, Any], agent: Agent | None) -> bool:
    """An editor may save a document that carries an admin's stdio server as it is."""
    if agent is None:
        return False
    server = McpServer.objects.filter(agent=agent, name=item.get("name")).first()
    if server is None or server.transport != McpServer.Transport.STDIO:
        return False
    env = item.get("env", {})
    return (
        item.get("command", server.command) == server.command
        and item.get("args", server.args) == server.args
        and isinstance(env, dict)
        and all(v == "" for v in env.values())
        and set(env) <= set(server.env or {})
        and len(env) == len(server.env or {})
    )


def _servers_errors(
    value: Any, path: str, *, actor=None, workspace=None, agent: Agent | None = None
) -> dict[str, list[str]]:
    if not isinstance(value, list) or len(value) > MAX_SERVERS:
        return {path: [f"Must be a list of at most {MAX_SERVERS} MCP servers."]}
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            errors[where] = ["Must be an MCP server object."]
            continue
        if problem := mcp_server_field_errors(item):
            errors[f"{where}.{problem[0]}"] = [problem[1]]
            continue
        if item["name"] in seen:
            errors[f"{where}.name"] = ["Another server of this agent has this name."]
        seen.add(item["name"])
        stdio = item.get("transport") == McpServer.Transport.STDIO
        if (
            stdio
            and actor is not None
            and not _is_admin(actor, workspace)
            and not _stdio_unchanged(item, agent)
        ):
            errors[f"{where}.transport"] = [
                "Only workspace admins may import or change stdio MCP servers."
            ]
    return errors


def _servers_export(agent: Agent) -> list[dict[str, Any]]:
    return [mcp_server_portable(s) for s in McpServer.objects.filter(agent=agent).order_by("name")]


def _servers_load(agent: Agent, value: list[dict[str, Any]], actor) -> bool:
    return mcp_servers_replace(actor=actor, agent=agent, items=value)


SECTIONS = (
    AgentSection(
        key="tool_policy",
        export=lambda agent: agent.tool_policy,
        errors=_policy_errors,
        load=_policy_load,
    ),
    AgentSection(
        key="mcp_servers", export=_servers_export, errors=_servers_errors, load=_servers_load
    ),
)
