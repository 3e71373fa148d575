"""Staff see orchestrations and everything that ran; runs and their logs are read-only here (the
runner owns them)."""

from django.contrib import admin

from orchestrations.models import Orchestration, OrchestrationRun, RunEvent, RunStep


@admin.register(Orchestration)
class OrchestrationAdmin(admin.ModelAdmin):
    list_display = ["name", "graph", "updated_at"]
    search_fields = ["name", "graph__name"]
    readonly_fields = ["graph", "name", "description", "spec", "created_by"]

    def has_add_permission(self, request):
        return False  # changes go through the services (validation, revision, audit)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = RunStep
    extra = 0
    fields = ["path", "kind", "agent_name", "status", "attempt", "conversation", "started_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(OrchestrationRun)
class RunAdmin(ReadOnly):
    list_display = ["name", "graph", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    inlines = [StepInline]


@admin.register(RunEvent)
class RunEventAdmin(ReadOnly):
    list_display = ["run", "seq", "type", "created_at"]
    list_filter = ["type"]
