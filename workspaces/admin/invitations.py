"""Invitations in the admin: listed and searchable, read-only; open ones can be revoked (through
the service, so the revoke is audited). Invitations are made by workspace admins in the app."""

from __future__ import annotations

from django.contrib import admin, messages

from workspaces import services
from workspaces.exceptions import StateConflict
from workspaces.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["invitee", "workspace", "role", "status", "invited_by", "created_at"]
    list_filter = ["status", "role"]
    search_fields = ["invitee", "workspace__name", "invited_by__username"]
    list_select_related = ["workspace", "invited_by"]
    raw_id_fields = ["workspace", "invited_by", "responded_by"]
    fields = [
        "workspace",
        "invitee",
        "role",
        "status",
        "invited_by",
        "responded_by",
        "responded_at",
        "created_at",
        "expires_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected open invitations")
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset.filter(status=Invitation.Status.PENDING):
            try:
                services.invitation_revoke(actor=request.user, invitation=invitation)
            except StateConflict:
                continue
            revoked += 1
        messages.info(request, f"Revoked {revoked} invitation(s).")
