"""The admin of costs: the price table (editable by superusers), workspace budgets (changed
through the budget service, so every change is audited and resumes what it allows) and the
usage rows, read-only. Registered by `conversations.admin`."""

from __future__ import annotations

from django.contrib import admin, messages

from audit.admin_tools import ReadOnlyModelAdmin
from conversations.costs import ModelPrice, UsageRecord, WorkspaceBudget
from conversations.errors import ConversationError
from conversations.services import costs


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ["model", "input_per_million", "output_per_million", "taken_on", "source"]
    search_fields = ["model"]
    ordering = ["model"]


@admin.register(WorkspaceBudget)
class WorkspaceBudgetAdmin(admin.ModelAdmin):
    list_display = ["workspace", "monthly_usd", "spent_this_month", "updated_by", "updated_at"]
    fields = ["workspace", "monthly_usd"]
    autocomplete_fields = []

    @admin.display(description="spent this month (USD)")
    def spent_this_month(self, obj: WorkspaceBudget) -> str:
        return f"{costs.workspace_month_cost(obj.workspace_id):.4f}"

    def get_readonly_fields(self, request, obj=None):
        return ["workspace"] if obj else []

    def save_model(self, request, obj, form, change):
        try:
            resumed = costs.workspace_budget_set(
                actor=request.user, workspace=obj.workspace, monthly_usd=obj.monthly_usd
            )
        except ConversationError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = (
            WorkspaceBudget.objects.filter(workspace=obj.workspace)
            .values_list("pk", flat=True)
            .first()
        )
        if resumed:
            messages.info(request, f"{len(resumed)} paused conversation(s) resumed.")

    def delete_model(self, request, obj):
        costs.workspace_budget_set(actor=request.user, workspace=obj.workspace, monthly_usd=None)

    def has_delete_permission(self, request, obj=None):
        return False  # set the budget empty instead: the removal is then audited


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyModelAdmin):
    list_display = [
        "created_at",
        "workspace",
        "graph",
        "agent_name",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "priced",
    ]
    list_filter = ["model", "priced", "day"]
