from __future__ import annotations

from rest_framework import serializers

from evaluations.models import Case, CaseResult, Suite, SuiteRun


class SuiteInput(serializers.Serializer):
    name = serializers.JSONField()
    cases = serializers.JSONField()


class CaseFromConversationInput(serializers.Serializer):
    from_conversation = serializers.CharField(max_length=64)
    name = serializers.JSONField()


class CaseOutput(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "name", "inputs", "answers", "expect", "source_conversation"]


class SuiteOutput(serializers.ModelSerializer):
    cases = CaseOutput(many=True)

    class Meta:
        model = Suite
        fields = ["id", "graph", "name", "cases", "created_at"]


class CaseResultOutput(serializers.ModelSerializer):
    class Meta:
        model = CaseResult
        fields = ["name", "status", "path", "function_calls", "failures", "conversation"]


class SuiteRunOutput(serializers.ModelSerializer):
    cases = CaseResultOutput(many=True, source="results")
    pass_rate = serializers.FloatField()

    class Meta:
        model = SuiteRun
        fields = [
            "id",
            "suite",
            "revision",
            "status",
            "total",
            "passed",
            "failed",
            "pass_rate",
            "cases",
            "created_at",
            "finished_at",
        ]
