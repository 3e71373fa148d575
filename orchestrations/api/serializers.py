"""Input shapes for the orchestrations API (domain rules run in the services) and outputs."""

from __future__ import annotations

from rest_framework import serializers

from orchestrations.models import Orchestration, OrchestrationRun, RunStep


class OrchestrationOutput(serializers.ModelSerializer):
    revision = serializers.IntegerField(source="graph.revision", read_only=True)

    class Meta:
        model = Orchestration
        fields = ["id", "graph", "name", "description", "spec", "revision", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = fields


class OrchestrationInput(serializers.Serializer):
    name = serializers.JSONField()  # checked by the service, which names the field
    description = serializers.JSONField(required=False)
    spec = serializers.JSONField()
    revision = serializers.IntegerField(required=False, min_value=0)


class OrchestrationUpdateInput(serializers.Serializer):
    name = serializers.JSONField(required=False)
    description = serializers.JSONField(required=False)
    spec = serializers.JSONField(required=False)
    revision = serializers.IntegerField(required=False, min_value=0)


class RunInput(serializers.Serializer):
    inputs = serializers.JSONField()


class RunCreated(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = OrchestrationRun
        fields = ["id", "status"]
        read_only_fields = fields


class StepOutput(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    agent = serializers.SerializerMethodField()
    tokens = serializers.SerializerMethodField()

    class Meta:
        model = RunStep
        fields = ["path", "kind", "agent", "status", "started_at", "finished_at", "conversation",
                  "output", "error", "attempt", "attempts", "detail", "tokens"]  # fmt: skip
        read_only_fields = fields

    def get_agent(self, step: RunStep) -> str | None:
        return step.agent_name or None

    def get_tokens(self, step: RunStep) -> int:
        return step.conversation.total_tokens if step.conversation_id else 0


class RunOutput(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    steps = StepOutput(many=True, read_only=True)

    class Meta:
        model = OrchestrationRun
        fields = ["id", "orchestration", "graph", "name", "status", "inputs", "output", "error",
                  "last_seq", "created_at", "finished_at", "steps"]  # fmt: skip
        read_only_fields = fields


class RunSummary(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = OrchestrationRun
        fields = ["id", "orchestration", "name", "status", "inputs", "created_at", "finished_at"]
        read_only_fields = fields


class RunEventOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.CharField()
    data = serializers.DictField()
    created_at = serializers.DateTimeField()
