"""Input serializers check shapes and types; the domain rules live in `agents.validation` and run
inside the services, so the API, the admin and the import all answer the same way."""

from __future__ import annotations

from rest_framework import serializers

from agents.models import (
    INVITEE_MAX_LENGTH,
    Agent,
    AgentVersion,
    Graph,
    Invitation,
    Membership,
    Workspace,
)
from agents.roles import Role

# --- output --------------------------------------------------------------------------------


class WorkspaceSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="user_role", read_only=True, allow_null=True)

    class Meta:
        model = Workspace
        fields = ["id", "name", "role", "created_at"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    user_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "workspace", "user", "user_id", "role", "created_at", "updated_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    """The same fields whether or not an account with that username exists."""

    workspace_name = serializers.CharField(source="workspace.name", read_only=True)
    invited_by = serializers.CharField(
        source="invited_by.username", read_only=True, allow_null=True, default=None
    )
    status = serializers.CharField(source="current_status", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "workspace",
            "workspace_name",
            "invitee",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields


class InvitationAcceptSerializer(serializers.Serializer):
    invitation = InvitationSerializer()
    membership = MembershipSerializer()


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
            "role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AgentSerializer(serializers.ModelSerializer):
    handoffs = serializers.SerializerMethodField()
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
            "position_x",
            "position_y",
            "revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_handoffs(self, agent: Agent) -> list[str]:
        return [str(target_id) for target_id in agent.handoff_ids]


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


class WorkspaceInput(serializers.Serializer):
    name = serializers.CharField()


class InvitationCreateInput(serializers.Serializer):
    invitee = serializers.CharField(
        max_length=INVITEE_MAX_LENGTH, help_text="A username or an email address."
    )
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class GraphCreateInput(serializers.Serializer):
    workspace = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class GraphUpdateInput(RevisionInput):
    name = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    entry_agent = serializers.UUIDField(required=False, allow_null=True)


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
