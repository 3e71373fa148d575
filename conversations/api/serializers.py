from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversations.events import EventType
from conversations.models import Conversation, Entry, GeneratedFile, HandoffExecution, PendingAction
from conversations.selectors import orchestration_step_of


class StartInput(serializers.Serializer):
    agent = serializers.UUIDField()
    inputs = serializers.JSONField()
    handoff_execution = serializers.ChoiceField(
        choices=HandoffExecution.choices, default=HandoffExecution.SERVER
    )
    metadata = serializers.DictField(required=False)
    runtime = serializers.CharField(
        required=False, help_text="conversations | local; default: the graph's runtime."
    )


class MessageInput(serializers.Serializer):
    inputs = serializers.JSONField()
    agent = serializers.UUIDField(required=False)


class ResolveInput(serializers.Serializer):
    # Not a CharField: it would turn 5 into "5"; the service insists on a string.
    result = serializers.JSONField(required=False)
    decision = serializers.ChoiceField(
        choices=["continue", "stop", "approve", "reject"],
        required=False,
        help_text="continue | stop (handoff); approve | reject (approval).",
    )
    allow_empty = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms that an empty or whitespace-only function result is meant.",
    )


class AgentRef(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ConversationOutput(serializers.ModelSerializer):
    graph_name = serializers.CharField(source="graph.name")
    workspace = serializers.UUIDField(source="graph.workspace_id")
    entry_agent = AgentRef(allow_null=True)
    active_agent = AgentRef(allow_null=True)
    started_by = serializers.CharField(source="started_by.username", allow_null=True, default=None)
    usage = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "graph",
            "graph_name",
            "workspace",
            "entry_agent",
            "active_agent",
            "status",
            "handoff_execution",
            "runtime",
            "backend",
            "remote_id",
            "title",
            "usage",
            "error",
            "last_seq",
            "started_by",
            "created_at",
            "updated_at",
            "finished_at",
            "parent",
            "branched_from",
            "branch_agent_versions",
            "agent_versions",
            "cost_usd",
            "budget_usd",
        ]

    def get_usage(self, obj: Conversation) -> dict[str, int]:
        return {
            "prompt_tokens": obj.prompt_tokens,
            "completion_tokens": obj.completion_tokens,
            "total_tokens": obj.total_tokens,
        }


class FileOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedFile
        fields = [
            "id",
            "conversation",
            "entry",
            "agent",
            "name",
            "type",
            "size",
            "url",
            "created_at",
        ]

    def get_url(self, obj: GeneratedFile) -> str:
        from django.urls import reverse

        return reverse("file-download", args=[obj.pk])


class EntryOutput(serializers.ModelSerializer):
    agent = AgentRef(allow_null=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    files = FileOutput(many=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "position",
            "type",
            "remote_id",
            "agent",
            "role",
            "text",
            "data",
            "created_by",
            "files",
            "created_at",
        ]


class EventOutput(serializers.Serializer):
    """One logged event. Its schema in /api/schema/ is the event catalogue's, by type
    (`conversations.api.schema`)."""

    seq = serializers.IntegerField()
    type = serializers.ChoiceField(choices=[t.value for t in EventType])
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()


class PendingOutput(serializers.ModelSerializer):
    conversation_title = serializers.CharField(source="conversation.title")
    graph = serializers.UUIDField(source="conversation.graph_id")
    graph_name = serializers.CharField(source="conversation.graph.name")
    agent = AgentRef(allow_null=True)
    target_agent = AgentRef(allow_null=True)
    resolved_by = serializers.CharField(
        source="resolved_by.username", allow_null=True, default=None
    )
    orchestration = serializers.SerializerMethodField()

    class Meta:
        model = PendingAction
        fields = [
            "id",
            "conversation",
            "conversation_title",
            "graph",
            "graph_name",
            "kind",
            "name",
            "arguments",
            "tool_call_id",
            "agent",
            "target_agent",
            "status",
            "result",
            "orchestration",
            "decision",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]

    @extend_schema_field({"type": "object", "nullable": True})
    def get_orchestration(self, action: PendingAction) -> dict | None:
        return orchestration_step_of(action.conversation)
