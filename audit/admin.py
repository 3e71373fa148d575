from __future__ import annotations

from django.contrib import admin

from audit.admin_tools import ReadOnlyModelAdmin, json_display
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = [
        "created_at",
        "actor_username",
        "action",
        "outcome",
        "object_type",
        "object_repr",
        "workspace_name",
        "ip",
    ]
    list_filter = [
        "action",
        "outcome",
        "object_type",
        ("workspace", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["actor_username", "object_repr", "object_id", "workspace_name", "ip"]
    list_select_related = ["actor", "workspace"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "actor_username",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "object_repr",
        "workspace",
        "workspace_name",
        "before_pretty",
        "after_pretty",
        "error",
        "ip",
        "user_agent",
        "request",
    ]
    readonly_fields = fields

    before_pretty = json_display("before")
    after_pretty = json_display("after")
