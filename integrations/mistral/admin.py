"""Remote agents in the admin: read-only, for seeing what was pushed where."""

from __future__ import annotations

from django.contrib import admin

from audit.admin_tools import ReadOnlyModelAdmin, related_display
from integrations.mistral.models import RemoteAgent


@admin.register(RemoteAgent)
class RemoteAgentAdmin(ReadOnlyModelAdmin):
    list_display = ["agent", "graph", "backend", "remote_id", "remote_version", "synced_at"]
    list_filter = [
        "backend",
        ("agent__graph__workspace", admin.RelatedOnlyFieldListFilter),
        ("agent__graph", admin.RelatedOnlyFieldListFilter),
        "synced_at",
    ]
    search_fields = ["remote_id", "agent__name"]
    uuid_search_fields = ("agent__id",)
    list_select_related = ["agent", "agent__graph"]
    fields = [
        "agent",
        "backend",
        "remote_id",
        "remote_version",
        "config_hash",
        "handoffs_hash",
        "synced_at",
    ]
    readonly_fields = fields

    graph = related_display("agent.graph")
