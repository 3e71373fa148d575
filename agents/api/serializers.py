"""Input serializers check shapes and types; the domain rules live in `agents.validation` and run
inside the services, so the API, the admin and the import all answer the same way."""

from __future__ import annotations

from rest_framework import serializers

from agents.mcp_tools import mcp_servers_of
from agents.models import Agent, AgentVersion, Graph

# --- output --------------------------------------------------------------------------------


class GraphSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="user_role", read_only=True, allow_null=True)

    class Meta:
        model = Graph
        fields = [
            "id",
            "workspace",
            "name",
            "description",
            "entry_agent",
            "revision",
            "runtime",
            "max_turns",
            "role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AgentSerializer(serializers.ModelSerializer):
    handoffs = serializers.SerializerMethodField()
    mcp_servers = serializers.SerializerMethodField(
        help_text="Attached MCP tool servers and the tools they listed (secrets never shown); "
        "manage them at /api/agents/{id}/mcp-servers/."
    )
    revision = serializers.IntegerField(source="graph.revision", read_only=True)

    class Meta:
        model = Agent
        fields = [
            "id",
            "graph",
            "name",
            "description",
            "instructions",
            "model",
            "tools",
            "completion_args",
            "handoffs",
            "mcp_servers",
            "tool_policy",
            "position_x",
            "position_y",
            "revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_handoffs(self, agent: Agent) -> list[str]:
        return [str(target_id) for target_id in agent.handoff_ids]

    def get_mcp_servers(self, agent: Agent) -> list[dict]:
        return [
            {
                "id": str(server.pk),
                "name": server.name,
                "transport": server.transport,
                "tools": [t.get("name") for t in server.tools or [] if isinstance(t, dict)],
                "tools_error": server.tools_error,
                "tools_listed_at": server.tools_listed_at,
            }
            for server in mcp_servers_of(agent)
        ]


class AgentVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)

    class Meta:
        model = AgentVersion
        fields = ["number", "snapshot", "changed_fields", "author", "created_at"]
        read_only_fields = fields


class ValidationIssueSerializer(serializers.Serializer):
    agent = serializers.UUIDField(allow_null=True)
    agent_name = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class GraphReportSerializer(serializers.Serializer):
    errors = ValidationIssueSerializer(many=True)
    warnings = ValidationIssueSerializer(many=True)


# --- input ---------------------------------------------------------------------------------


class RevisionInput(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The graph revision the change is based on; a stale one is answered with 409.",
    )


class GraphCreateInput(serializers.Serializer):
    workspace = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class GraphUpdateInput(RevisionInput):
    name = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    entry_agent = serializers.UUIDField(required=False, allow_null=True)
    runtime = serializers.CharField(
        required=False, help_text="Default runtime of new conversations: conversations | local."
    )
    max_turns = serializers.IntegerField(
        required=False, allow_null=True, help_text="Local runtime: model calls per user message."
    )


class AgentFieldsInput(RevisionInput):
    name = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    instructions = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    model = serializers.CharField(required=False)
    tools = serializers.JSONField(required=False, help_text="Mistral tool objects.")
    completion_args = serializers.JSONField(required=False)
    handoffs = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="Ids of agents of the same graph."
    )
    position_x = serializers.FloatField(required=False)
    position_y = serializers.FloatField(required=False)


class AgentCreateInput(AgentFieldsInput):
    graph = serializers.UUIDField()
    name = serializers.CharField()


class GraphImportInput(serializers.Serializer):
    workspace = serializers.UUIDField()
    document = serializers.JSONField(help_text="A document from /api/graphs/{id}/export/.")
