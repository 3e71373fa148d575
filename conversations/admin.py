"""Everything that ran, read-only (issue #8): conversations and their turns, event log, entries,
pending actions, generated files, and the agents' remote copies. Nobody adds, edits or deletes
history here, superusers included; a conversation's page links to its filtered children."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.admin_tools import (
    ReadOnlyModelAdmin,
    change_link,
    changelist_link,
    json_display,
    related_display,
)
from conversations.models import (
    Conversation,
    Entry,
    Event,
    GeneratedFile,
    PendingAction,
    Turn,
)

WORKSPACE = ("graph__workspace", admin.RelatedOnlyFieldListFilter)
CONV_WORKSPACE = ("conversation__graph__workspace", admin.RelatedOnlyFieldListFilter)
CONV_GRAPH = ("conversation__graph", admin.RelatedOnlyFieldListFilter)


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyModelAdmin):
    list_display = [
        "title",
        "status",
        "graph",
        "workspace",
        "entry_agent",
        "active_agent",
        "handoff_execution",
        "started_by",
        "total_tokens",
        "created_at",
    ]
    list_filter = [
        "status",
        WORKSPACE,
        ("graph", admin.RelatedOnlyFieldListFilter),
        ("entry_agent", admin.RelatedOnlyFieldListFilter),
        ("started_by", admin.RelatedOnlyFieldListFilter),
        "handoff_execution",
        "backend",
        "created_at",
    ]
    search_fields = ["title", "remote_id", "error", "started_by__username", "graph__name"]
    uuid_search_fields = ("id",)
    list_select_related = ["graph", "graph__workspace", "entry_agent", "active_agent", "started_by"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "title",
        "workspace",
        "graph",
        "entry_agent",
        "active_agent",
        "status",
        "handoff_execution",
        "backend",
        "remote_id",
        "started_by",
        "related",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "error",
        "cancel_requested",
        "last_seq",
        "metadata_pretty",
        "created_at",
        "updated_at",
        "finished_at",
    ]
    readonly_fields = fields

    workspace = related_display("graph.workspace")

    metadata_pretty = json_display("metadata")

    @admin.display(description="history")
    def related(self, obj):
        pk = str(obj.pk)
        links = [
            changelist_link(Event, f"events ({obj.events.count()})", conversation__id__exact=pk),
            changelist_link(Entry, f"entries ({obj.entries.count()})", conversation__id__exact=pk),
            changelist_link(
                PendingAction,
                f"pending actions ({obj.pending_actions.count()})",
                conversation__id__exact=pk,
            ),
            changelist_link(
                GeneratedFile, f"files ({obj.files.count()})", conversation__id__exact=pk
            ),
            changelist_link(Turn, f"turns ({obj.turns.count()})", conversation__id__exact=pk),
        ]
        return format_html_join(" · ", "{}", ((link,) for link in links))


@admin.register(Turn)
class TurnAdmin(ReadOnlyModelAdmin):
    list_display = ["conversation", "number", "kind", "state", "attempts", "created_at"]
    list_filter = ["state", "kind", CONV_WORKSPACE, "created_at"]
    uuid_search_fields = ("id", "conversation__id")
    list_select_related = ["conversation"]
    fields = [
        "conversation_link",
        "number",
        "kind",
        "state",
        "attempts",
        "start_seq",
        "heartbeat_at",
        "inputs_pretty",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    conversation_link = change_link("conversation")

    inputs_pretty = json_display("inputs")


@admin.register(Event)
class EventAdmin(ReadOnlyModelAdmin):
    list_display = ["conversation", "seq", "type", "created_at"]
    list_filter = ["type", CONV_WORKSPACE, CONV_GRAPH, "created_at"]
    search_fields = ["type"]
    uuid_search_fields = ("conversation__id",)
    list_select_related = ["conversation"]
    fields = ["conversation_link", "seq", "type", "data_pretty", "created_at"]
    readonly_fields = fields

    conversation_link = change_link("conversation")

    data_pretty = json_display("data")


@admin.register(Entry)
class EntryAdmin(ReadOnlyModelAdmin):
    list_display = ["conversation", "position", "type", "agent", "role", "created_by", "created_at"]
    list_filter = [
        "type",
        CONV_WORKSPACE,
        CONV_GRAPH,
        ("agent", admin.RelatedOnlyFieldListFilter),
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["text", "remote_id"]
    uuid_search_fields = ("id", "conversation__id")
    list_select_related = ["conversation", "agent", "created_by"]
    fields = [
        "conversation_link",
        "turn",
        "position",
        "type",
        "agent",
        "role",
        "text",
        "remote_id",
        "data_pretty",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields

    conversation_link = change_link("conversation")

    data_pretty = json_display("data")


@admin.register(PendingAction)
class PendingActionAdmin(ReadOnlyModelAdmin):
    list_display = [
        "name",
        "kind",
        "status",
        "conversation",
        "agent",
        "resolved_by",
        "resolved_at",
        "created_at",
    ]
    list_filter = [
        "status",
        "kind",
        CONV_WORKSPACE,
        CONV_GRAPH,
        ("agent", admin.RelatedOnlyFieldListFilter),
        ("resolved_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["name", "tool_call_id", "result", "resolved_by__username"]
    uuid_search_fields = ("id", "conversation__id")
    list_select_related = ["conversation", "agent", "resolved_by"]
    fields = [
        "conversation_link",
        "turn",
        "kind",
        "name",
        "agent",
        "target_agent",
        "tool_call_id",
        "arguments_pretty",
        "status",
        "result",
        "decision",
        "resolved_by",
        "resolved_at",
        "created_at",
    ]
    readonly_fields = fields

    conversation_link = change_link("conversation")

    arguments_pretty = json_display("arguments")


@admin.register(GeneratedFile)
class GeneratedFileAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "type", "size", "conversation", "agent", "created_at"]
    list_filter = [
        "type",
        CONV_WORKSPACE,
        CONV_GRAPH,
        ("agent", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["name", "remote_id"]
    uuid_search_fields = ("id", "conversation__id")
    list_select_related = ["conversation", "agent"]
    # The stored path is not a link: files are served only by the permission-checked API view
    # (which audits the download).
    fields = [
        "conversation_link",
        "entry",
        "agent",
        "name",
        "type",
        "size",
        "remote_id",
        "download",
        "created_at",
    ]
    readonly_fields = fields

    conversation_link = change_link("conversation")

    @admin.display(description="download")
    def download(self, obj):
        url = reverse("file-download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)


from conversations import admin_costs  # noqa: E402, F401 - registers the cost admins
