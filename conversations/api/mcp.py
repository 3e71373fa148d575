"""`/api/agents/{id}/mcp-servers/` and `/api/mcp-servers/{id}/[refresh/]`: an agent's MCP tool
servers. Editors attach, change and detach them; every member reads them (secrets never: the
API shows the names of `env` and `headers`, not their values)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.mcp_tools import mcp_function_tool
from agents.models import McpServer
from agents.selectors import agent_get_for_user
from conversations.api.views import ConversationErrorsMixin
from conversations.services import mcp as services
from workspaces.roles import Role


class McpServerOutput(serializers.ModelSerializer):
    env_keys = serializers.SerializerMethodField()
    header_keys = serializers.SerializerMethodField()
    function_tools = serializers.SerializerMethodField()

    class Meta:
        model = McpServer
        fields = ["id", "agent", "name", "transport", "command", "args", "url", "env_keys",
                  "header_keys", "timeout_s", "tools", "function_tools", "tools_error",
                  "tools_listed_at", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    def get_env_keys(self, server: McpServer) -> list[str]:
        return sorted(server.env or {})

    def get_header_keys(self, server: McpServer) -> list[str]:
        return sorted(server.headers or {})

    def get_function_tools(self, server: McpServer) -> list[dict]:
        """The tools as the model is offered them (Mistral function tools)."""
        return [mcp_function_tool(t) for t in server.tools or [] if isinstance(t, dict)]


def _server_for(user, pk, role: str) -> McpServer:
    server = McpServer.objects.filter(pk=pk).select_related("agent__graph__workspace").first()
    if server is None:
        raise Http404("Not found.")
    agent_get_for_user(user, server.agent_id, role)  # 404 for outsiders, 403 below the role
    return server


def _parse_pk(pk: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(str(pk)))
    except ValueError as exc:
        raise Http404("Not found.") from exc


def _check_stdio_rights(user, agent_id, fields: dict, server: McpServer | None = None) -> None:
    """A stdio server is a command the worker runs on its host: only workspace admins may
    attach one or change what it runs (editors may attach streamable-HTTP servers)."""
    stdio = fields.get("transport", server.transport if server else None) == "stdio"
    touches = server is None or bool({"transport", "command", "args", "env"} & set(fields))
    if stdio and touches:
        agent_get_for_user(user, agent_id, Role.ADMIN)


class AgentMcpServers(ConversationErrorsMixin, APIView):
    @extend_schema(responses={200: McpServerOutput(many=True)})
    def get(self, request, pk):
        agent = agent_get_for_user(request.user, pk, Role.VIEWER)
        rows = McpServer.objects.filter(agent=agent).order_by("name")
        return Response(McpServerOutput(rows, many=True).data)

    @extend_schema(request=dict, responses={201: McpServerOutput})
    def post(self, request, pk):
        agent = agent_get_for_user(request.user, pk, Role.EDITOR)
        fields = request.data if isinstance(request.data, dict) else {}
        _check_stdio_rights(request.user, agent.pk, fields)
        server = services.mcp_server_attach(actor=request.user, agent=agent, fields=dict(fields))
        return Response(McpServerOutput(server).data, status=status.HTTP_201_CREATED)


class McpServerDetail(ConversationErrorsMixin, APIView):
    @extend_schema(responses={200: McpServerOutput})
    def get(self, request, pk):
        return Response(McpServerOutput(_server_for(request.user, _parse_pk(pk), Role.VIEWER)).data)

    @extend_schema(request=dict, responses={200: McpServerOutput})
    def patch(self, request, pk):
        server = _server_for(request.user, _parse_pk(pk), Role.EDITOR)
        fields = request.data if isinstance(request.data, dict) else {}
        _check_stdio_rights(request.user, server.agent_id, fields, server)
        server = services.mcp_server_update(actor=request.user, server=server, fields=dict(fields))
        return Response(McpServerOutput(server).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        server = _server_for(request.user, _parse_pk(pk), Role.EDITOR)
        services.mcp_server_detach(actor=request.user, server=server)
        return Response(status=status.HTTP_204_NO_CONTENT)


class McpServerRefresh(ConversationErrorsMixin, APIView):
    @extend_schema(request=None, responses={200: McpServerOutput})
    def post(self, request, pk):
        server = _server_for(request.user, _parse_pk(pk), Role.EDITOR)
        return Response(McpServerOutput(services.mcp_server_refresh(server=server)).data)


class AgentToolPolicy(ConversationErrorsMixin, APIView):
    """The agent's approval policy for the tools the worker runs (see conversations.tool_policy)."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        agent = agent_get_for_user(request.user, pk, Role.VIEWER)
        return Response(agent.tool_policy or {"default": "allow", "rules": []})

    @extend_schema(request=dict, responses={200: dict})
    def put(self, request, pk):
        agent = agent_get_for_user(request.user, pk, Role.EDITOR)
        agent = services.agent_tool_policy_set(actor=request.user, agent=agent, policy=request.data)
        return Response(agent.tool_policy)
