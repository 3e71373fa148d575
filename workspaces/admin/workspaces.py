"""Workspaces and their memberships: created, renamed and staffed through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count

from audit.admin_tools import ReadOnlyTabularInline
from workspaces import services
from workspaces.admin.common import ServiceDeleteMixin, adopt, report_errors
from workspaces.exceptions import DomainValidationError
from workspaces.models import Membership, Workspace
from workspaces.roles import Role


class MembershipInline(ReadOnlyTabularInline):
    """Members are added on the Membership page, through the service."""

    model = Membership
    fields = ["user", "role", "created_at", "updated_at"]


@admin.register(Workspace)
class WorkspaceAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "member_count", "graph_count", "created_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "memberships__user__username"]
    list_select_related = ["created_by"]
    fields = ["name", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _members=Count("memberships", distinct=True), _graphs=Count("graphs", distinct=True)
            )
        )

    @admin.display(ordering="_members", description="members")
    def member_count(self, obj):
        return obj._members

    @admin.display(ordering="_graphs", description="graphs")
    def graph_count(self, obj):
        return obj._graphs

    def save_model(self, request, obj, form, change):
        if change:
            services.workspace_update(actor=request.user, workspace=obj, name=obj.name)
        else:
            created = services.workspace_create(actor=request.user, name=obj.name)
            adopt(obj, created, "created_by", "created_at")

    def delete_model(self, request, obj):
        services.workspace_delete(actor=request.user, workspace=obj)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["workspace", "user", "role"]

    def clean(self):
        data = super().clean()
        workspace, user = data.get("workspace"), data.get("user")
        new_member = self.instance._state.adding and workspace and user
        if new_member and Membership.objects.filter(workspace=workspace, user=user).exists():
            self.add_error("user", "This user is already a member.")
        if (
            not self.instance._state.adding
            and self.instance.role == Role.ADMIN
            and data.get("role") != Role.ADMIN
            and not Membership.objects.filter(workspace=self.instance.workspace_id, role=Role.ADMIN)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("role", "The workspace must keep at least one admin.")
        return data


@admin.register(Membership)
class MembershipAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "workspace", "role", "created_at", "updated_at"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    list_select_related = ["user", "workspace"]
    raw_id_fields = ["user", "workspace"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a membership to another user or workspace is a remove plus an add.
        return [*self.readonly_fields, "workspace", "user"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.membership_change(actor=request.user, membership=obj, role=obj.role)
            else:
                created = services.membership_add(
                    actor=request.user, workspace=obj.workspace, user=obj.user, role=obj.role
                )
                adopt(obj, created)
        except DomainValidationError as exc:
            report_errors(request, exc)

    def delete_model(self, request, obj):
        try:
            services.membership_remove(actor=request.user, membership=obj)
        except DomainValidationError as exc:
            report_errors(request, exc)
