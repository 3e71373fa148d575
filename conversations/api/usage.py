"""REST endpoints of usage and budgets: `GET /api/usage/`, the price table, and setting a
workspace's or a conversation's budget (admins)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import selectors, usage_selectors
from conversations.api import serializers as s
from conversations.api.views import ConversationErrorsMixin
from conversations.services import costs
from workspaces.roles import Role
from workspaces.selectors import workspace_get_for_user

DEFAULT_DAYS = 30
MAX_DAYS = 366


def _date(request, name: str, default: dt.date) -> dt.date:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["A date as YYYY-MM-DD is required."]}) from None


class Usage(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("workspace", str),
            OpenApiParameter("group_by", str, enum=list(usage_selectors.GROUPS)),
            OpenApiParameter("split", str, enum=list(usage_selectors.SPLITS)),
            OpenApiParameter("since", dt.date),
            OpenApiParameter("until", dt.date),
        ],
        responses={200: dict},
    )
    def get(self, request):
        params = request.query_params
        group_by = params.get("group_by") or "day"
        if group_by not in usage_selectors.GROUPS:
            raise ValidationError({"group_by": [f"One of {', '.join(usage_selectors.GROUPS)}."]})
        split = params.get("split") or None
        if split is not None and (split not in usage_selectors.SPLITS or group_by != "day"):
            raise ValidationError({"split": ["graph or model, with group_by=day."]})
        today = dt.datetime.now(dt.UTC).date()
        until = _date(request, "until", today)
        since = _date(request, "since", until - dt.timedelta(days=DEFAULT_DAYS - 1))
        if since > until:
            raise ValidationError({"since": ["Must not be after until."]})
        if (until - since).days >= MAX_DAYS:
            raise ValidationError({"since": [f"At most {MAX_DAYS} days at a time."]})
        workspace_ids = None
        if params.get("workspace"):
            workspace_ids = [workspace_get_for_user(request.user, params["workspace"]).pk]
        rows = usage_selectors.usage_for_user(request.user, workspace_ids)
        report = usage_selectors.usage_report(
            rows, group_by=group_by, since=since, until=until, split=split
        )
        report["workspace"] = str(workspace_ids[0]) if workspace_ids else None
        return Response(report)


class PriceOutput(serializers.Serializer):
    model = serializers.CharField()
    input_per_million = serializers.DecimalField(max_digits=10, decimal_places=4)
    output_per_million = serializers.DecimalField(max_digits=10, decimal_places=4)
    taken_on = serializers.DateField()
    source = serializers.CharField()


class Prices(APIView):
    @extend_schema(responses={200: PriceOutput(many=True)})
    def get(self, request):
        return Response(PriceOutput(usage_selectors.prices(), many=True).data)


class WorkspaceBudgetInput(serializers.Serializer):
    workspace = serializers.CharField(max_length=64)
    monthly_usd = serializers.JSONField(allow_null=True)


class WorkspaceBudget(ConversationErrorsMixin, APIView):
    @extend_schema(request=WorkspaceBudgetInput, responses={200: dict})
    def put(self, request):
        data = WorkspaceBudgetInput(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = workspace_get_for_user(request.user, data.validated_data["workspace"])
        workspace = workspace_get_for_user(request.user, workspace.pk, Role.ADMIN)
        resumed = costs.workspace_budget_set(
            actor=request.user, workspace=workspace, monthly_usd=data.validated_data["monthly_usd"]
        )
        budget = usage_selectors.workspace_budget(workspace)
        return Response(
            {
                "workspace": str(workspace.pk),
                "monthly_usd": str(budget.monthly_usd) if budget else None,
                "spent_this_month": f"{costs.workspace_month_cost(workspace.pk):.8f}",
                "resumed": [str(c.pk) for c in resumed],
            }
        )


class ConversationBudgetInput(serializers.Serializer):
    budget_usd = serializers.JSONField(allow_null=True)


class ConversationBudget(ConversationErrorsMixin, APIView):
    @extend_schema(request=ConversationBudgetInput, responses={200: s.ConversationOutput})
    def put(self, request, pk):
        conversation = selectors.conversation_get_for_user(request.user, pk, Role.ADMIN)
        data = ConversationBudgetInput(data=request.data)
        data.is_valid(raise_exception=True)
        costs.conversation_budget_set(
            actor=request.user,
            conversation=conversation,
            budget_usd=data.validated_data["budget_usd"],
        )
        conversation = selectors.conversation_get_for_user(request.user, pk)
        return Response(s.ConversationOutput(conversation).data)
