"""Attaching MCP tool servers to agents, and listing their tools (the network is touched outside
any transaction). Secrets (`env`, `headers`) are written here and never handed back: what the
API shows is their keys."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, McpServer
from audit.models import Action
from audit.services import audit_record
from conversations import tool_policy
from conversations.errors import ConversationError
from integrations.mcp.client import McpError, list_tools
from integrations.mcp.config import server_config

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
MAX_ARGS = 64
MAX_TIMEOUT_S = 120
FIELDS = ("name", "transport", "command", "args", "env", "url", "headers", "timeout_s")


def _string_map(field: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_ARGS:
        raise ConversationError(f"An object of at most {MAX_ARGS} names.", field=field)
    for key, item in value.items():
        if not isinstance(key, str) or not key or not isinstance(item, str) or len(item) > 4000:
            raise ConversationError("Each name and value must be a string.", field=field)
        if "\x00" in key or "\x00" in item or "\n" in key:
            raise ConversationError("Names and values may not hold NUL or newlines.", field=field)
    return value


def _clean(server: McpServer, fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ConversationError("Unknown field.", field=unknown[0])
    if "name" in fields:
        if not isinstance(fields["name"], str) or not NAME_RE.match(fields["name"]):
            raise ConversationError("1 to 64 letters, digits, spaces, _ . or -.", field="name")
        server.name = fields["name"]
    if "transport" in fields:
        if fields["transport"] not in McpServer.Transport.values:
            raise ConversationError("Choose stdio or http.", field="transport")
        server.transport = fields["transport"]
    if "command" in fields:
        if not isinstance(fields["command"], str) or len(fields["command"]) > 500:
            raise ConversationError("A command of at most 500 characters.", field="command")
        server.command = fields["command"].strip()
    if "args" in fields:
        args = fields["args"]
        if (
            not isinstance(args, list)
            or len(args) > MAX_ARGS
            or not all(isinstance(a, str) and "\x00" not in a and len(a) <= 4000 for a in args)
        ):
            raise ConversationError(f"A list of at most {MAX_ARGS} strings.", field="args")
        server.args = args
    if "env" in fields:
        server.env = _string_map("env", fields["env"])
    if "headers" in fields:
        server.headers = _string_map("headers", fields["headers"])
    if "url" in fields:
        url = fields["url"]
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url) or len(url) > 2000:
            raise ConversationError("An http:// or https:// URL.", field="url")
        server.url = url
    if "timeout_s" in fields:
        value = fields["timeout_s"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TIMEOUT_S:
            raise ConversationError(f"Whole seconds from 1 to {MAX_TIMEOUT_S}.", field="timeout_s")
        server.timeout_s = value
    if server.transport == McpServer.Transport.STDIO and not settings.MCP_STDIO_ENABLED:
        message = "stdio MCP servers are disabled on this install (MCP_STDIO_ENABLED)."
        raise ConversationError(message, field="transport")
    if server.transport == McpServer.Transport.STDIO and not server.command:
        raise ConversationError("A stdio server needs the command that starts it.", field="command")
    if server.transport == McpServer.Transport.HTTP and not server.url:
        raise ConversationError("A streamable HTTP server needs its URL.", field="url")


def _public(server: McpServer) -> dict[str, Any]:
    """What the audit trail keeps: never a secret value."""
    return {
        "name": server.name,
        "transport": server.transport,
        "command": server.command,
        "args": server.args,
        "url": server.url,
        "env_keys": sorted(server.env or {}),
        "header_keys": sorted(server.headers or {}),
        "timeout_s": server.timeout_s,
    }


def mcp_server_refresh(*, server: McpServer) -> McpServer:
    """List the server's tools now and store them, or store why that failed (keeping the last
    listing: a server that is briefly down still offers its tools, whose calls then fail
    readably, rather than vanishing from the model's view mid-conversation)."""
    try:
        tools, error = list_tools(server_config(server)), ""
        if not tools:
            error = "the server lists no tools"
    except McpError as exc:
        tools, error = list(server.tools or []), str(exc)
    McpServer.objects.filter(pk=server.pk).update(
        tools=tools, tools_error=error, tools_listed_at=timezone.now()
    )
    server.tools, server.tools_error, server.tools_listed_at = tools, error, timezone.now()
    return server


def mcp_server_attach(*, actor, agent: Agent, fields: dict[str, Any]) -> McpServer:
    server = McpServer(agent=agent, transport=fields.get("transport") or "")
    _clean(server, fields)
    if not server.name:
        raise ConversationError("Give the server a name.", field="name")
    with transaction.atomic():
        if McpServer.objects.filter(agent=agent, name=server.name).exists():
            raise ConversationError("This agent already has a server of that name.", field="name")
        server.save()
        audit_record(actor=actor, action=Action.AGENT_UPDATE, obj=agent,
                     workspace=agent.graph.workspace,
                     after={"mcp_server_attached": _public(server)})  # fmt: skip
    return mcp_server_refresh(server=server)


def mcp_server_update(*, actor, server: McpServer, fields: dict[str, Any]) -> McpServer:
    before = _public(server)
    _clean(server, fields)
    with transaction.atomic():
        clash = McpServer.objects.filter(agent=server.agent, name=server.name)
        if clash.exclude(pk=server.pk).exists():
            raise ConversationError("This agent already has a server of that name.", field="name")
        server.save()
        audit_record(
            actor=actor,
            action=Action.AGENT_UPDATE,
            obj=server.agent,
            workspace=server.agent.graph.workspace,
            before={"mcp_server": before},
            after={"mcp_server": _public(server)},
        )
    return mcp_server_refresh(server=server)


def mcp_server_detach(*, actor, server: McpServer) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=Action.AGENT_UPDATE, obj=server.agent,
                     workspace=server.agent.graph.workspace,
                     before={"mcp_server_detached": _public(server)})  # fmt: skip
        server.delete()


def graph_mcp_refresh(*, graph) -> list[McpServer]:
    """Refresh every MCP server of the graph (the graph's sync does this)."""
    return [mcp_server_refresh(server=s) for s in McpServer.objects.filter(agent__graph=graph)]


def agent_tool_policy_set(*, actor, agent: Agent, policy: Any) -> Agent:
    """Replace the agent's approval policy for the tools the worker runs (audited)."""
    try:
        cleaned = tool_policy.clean_policy(policy)
    except tool_policy.PolicyInvalid as exc:
        raise ConversationError(exc.message, field=exc.field) from exc
    with transaction.atomic():
        before = agent.tool_policy
        Agent.objects.filter(pk=agent.pk).update(tool_policy=cleaned)
        agent.tool_policy = cleaned
        audit_record(
            actor=actor,
            action=Action.AGENT_UPDATE,
            obj=agent,
            workspace=agent.graph.workspace,
            before={"tool_policy": before},
            after={"tool_policy": cleaned},
        )
    return agent


SECRET_NOTE = (
    "Secret values (env, headers) are never exported: their names are kept with empty values; "
    "fill them in after importing."
)


def mcp_server_portable(server: McpServer) -> dict[str, Any]:
    """A server as the graph document carries it: its secrets' names, never their values."""
    item: dict[str, Any] = {"name": server.name, "transport": server.transport}
    if server.transport == McpServer.Transport.STDIO:
        item.update(command=server.command, args=server.args,
                    env=dict.fromkeys(sorted(server.env or {}), ""))  # fmt: skip
    else:
        item.update(url=server.url, headers=dict.fromkeys(sorted(server.headers or {}), ""))
    item["timeout_s"] = server.timeout_s
    if server.env or server.headers:
        item["secrets"] = SECRET_NOTE
    return item


def mcp_server_field_errors(item: dict[str, Any]) -> tuple[str, str] | None:
    """(field, message) of the first problem with a server's fields, as the API finds it."""
    try:
        server = McpServer(transport=item.get("transport") or "")
        _clean(server, {k: v for k, v in item.items() if k != "secrets"})
        if not server.name:
            raise ConversationError("Give the server a name.", field="name")
    except ConversationError as exc:
        return exc.field or "name", exc.message
    return None


def _merged(stored: dict, given: dict) -> dict:
    """Secrets are write-only: an empty value for a name already stored keeps the stored one."""
    return {k: (stored[k] if v == "" and k in stored else v) for k, v in given.items()}


def mcp_servers_replace(*, actor, agent: Agent, items: list[dict[str, Any]]) -> bool:
    """Make the agent's servers exactly `items` (validated by `mcp_server_field_errors`),
    matched by name, inside the caller's transaction; their tools are listed after the commit.
    Returns whether anything changed."""
    stored = {s.name: s for s in McpServer.objects.filter(agent=agent)}
    changed: list[McpServer] = []
    for item in items:
        fields = {k: v for k, v in item.items() if k != "secrets"}
        server = stored.pop(item["name"], None)
        before = _public(server) if server is not None else None
        if server is None:
            server = McpServer(agent=agent, transport=fields["transport"])
        old_secrets = (dict(server.env or {}), dict(server.headers or {}))
        fields["env"] = _merged(old_secrets[0], fields.get("env", {}))
        fields["headers"] = _merged(old_secrets[1], fields.get("headers", {}))
        _clean(server, fields)
        if before == _public(server) and old_secrets == (server.env, server.headers):
            continue
        server.save()
        changed.append(server)
        audit_record(actor=actor, action=Action.AGENT_UPDATE, obj=agent,
                     workspace=agent.graph.workspace,
                     before={"mcp_server": before} if before else None,
                     after={"mcp_server": _public(server)})  # fmt: skip
    for server in stored.values():
        mcp_server_detach(actor=actor, server=server)
    for server in changed:
        transaction.on_commit(lambda s=server: mcp_server_refresh(server=s))
    return bool(changed or stored)
