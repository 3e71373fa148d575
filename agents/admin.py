"""The admin is the audit tool: everything is listed and searchable, history is read-only, and
edits made here go through the same validation and services as the API."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.fields import InvalidJSONInput
from django.utils.html import format_html_join

from agents import services, validation
from agents.exceptions import DomainValidationError
from agents.models import Agent, AgentVersion, Graph, HandoffEdge, Membership, Workspace
from agents.roles import Role
from agentstudio import jsonbody


def _attach(form: forms.ModelForm, errors: Mapping[str, list[str]]) -> None:
    """Put `tools[0].function.name`-style errors on the form field they start with."""
    for path, field_messages in errors.items():
        field = path.split(".", 1)[0].split("[", 1)[0]
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message if path == field else f"{path}: {message}")


def _report(request, exc: DomainValidationError) -> None:
    for path, field_messages in exc.errors.items():
        messages.error(request, f"{path}: {' '.join(field_messages)}")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "created_at", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # members are added on the Membership page, through the service


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
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
            obj.pk, obj.created_by, obj.created_at = (
                created.pk,
                created.created_by,
                created.created_at,
            )
            obj._state.adding = False

    def delete_model(self, request, obj):
        services.workspace_delete(actor=request.user, workspace=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


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
class MembershipAdmin(admin.ModelAdmin):
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
                obj.pk = created.pk
                obj._state.adding = False
        except DomainValidationError as exc:
            _report(request, exc)

    def delete_model(self, request, obj):
        try:
            services.membership_remove(actor=request.user, membership=obj)
        except DomainValidationError as exc:
            _report(request, exc)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class GraphForm(forms.ModelForm):
    class Meta:
        model = Graph
        fields = ["workspace", "name", "description", "entry_agent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "entry_agent" in self.fields:
            self.fields["entry_agent"].queryset = (
                Agent.objects.filter(graph=self.instance)
                if not self.instance._state.adding
                else Agent.objects.none()
            )

    def clean(self):
        data = super().clean()
        errors = {}
        if "name" in data:
            errors.update(validation.name_errors(data["name"]))
        if "description" in data:
            errors.update(validation.agent_config_errors({"description": data["description"]}))
        _attach(self, errors)
        return data


class AgentInline(admin.TabularInline):
    model = Agent
    fields = ["name", "model", "description"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Graph)
class GraphAdmin(admin.ModelAdmin):
    form = GraphForm
    list_display = ["name", "workspace", "entry_agent", "agent_count", "revision", "updated_at"]
    list_filter = ["workspace", "updated_at"]
    search_fields = ["name", "description", "workspace__name", "agents__name"]
    list_select_related = ["workspace", "entry_agent"]
    readonly_fields = ["revision", "created_by", "created_at", "updated_at"]
    inlines = [AgentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_agents=Count("agents"))

    @admin.display(ordering="_agents", description="agents")
    def agent_count(self, obj):
        return obj._agents

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "workspace"] if obj else self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["workspace", "name", "description", "entry_agent", *self.readonly_fields]
        return fields if obj else [f for f in fields if f != "entry_agent"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.graph_update(
                actor=request.user,
                graph=obj,
                name=data["name"],
                description=data["description"],
                entry_agent_id=data["entry_agent"].pk if data.get("entry_agent") else None,
            )
        else:
            created = services.graph_create(
                actor=request.user,
                workspace=data["workspace"],
                name=data["name"],
                description=data["description"],
            )
            obj.pk = created.pk
            obj._state.adding = False

    def delete_model(self, request, obj):
        services.graph_delete(actor=request.user, graph=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class PrettyJSONField(forms.JSONField):
    """Decodes through agentstudio.jsonbody: Django's field lets a deeply nested value raise
    RecursionError (a 500) both when cleaning and when showing the form again."""

    def to_python(self, value):
        if isinstance(value, str) and value not in self.empty_values and not self.disabled:
            try:
                jsonbody.loads(value)
            except jsonbody.JSONBodyError as exc:
                raise ValidationError(str(exc), code="invalid") from None
        return super().to_python(value)

    def bound_data(self, data, initial):
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            return jsonbody.loads(data)
        except jsonbody.JSONBodyError:
            return InvalidJSONInput(data)

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class AgentForm(forms.ModelForm):
    tools = PrettyJSONField(required=False, initial=list)
    completion_args = PrettyJSONField(required=False, initial=dict)
    handoffs = forms.ModelMultipleChoiceField(
        queryset=Agent.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Agent
        fields = [
            "graph",
            "name",
            "description",
            "instructions",
            "model",
            "tools",
            "completion_args",
            "position_x",
            "position_y",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["handoffs"].queryset = Agent.objects.filter(
                graph=self.instance.graph_id
            ).exclude(pk=self.instance.pk)
            self.initial["handoffs"] = list(self.instance.handoff_ids)

    def clean(self):
        data = super().clean()
        fields = {k: data[k] for k in validation.AGENT_CONFIG_FIELDS if k in data}
        fields.update({k: data[k] for k in ("position_x", "position_y") if k in data})
        for key, empty in (("tools", []), ("completion_args", {})):
            if key in fields and fields[key] is None:
                fields[key] = data[key] = empty
        errors = validation.agent_config_errors(fields)
        graph = self.instance.graph if not self.instance._state.adding else data.get("graph")
        name = data.get("name")
        if graph and name and "name" not in errors:
            clash = Agent.objects.filter(graph=graph, name=name).exclude(pk=self.instance.pk)
            if clash.exists():
                errors["name"] = ["An agent with this name already exists in this graph."]
        _attach(self, errors)
        return data


class AgentVersionInline(admin.TabularInline):
    model = AgentVersion
    fields = ["number", "changed_fields", "author", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = AgentForm
    list_display = [
        "name",
        "graph",
        "workspace",
        "model",
        "tool_types",
        "handoff_names",
        "updated_at",
    ]
    list_filter = ["model", "graph__workspace", "graph"]
    search_fields = ["name", "description", "instructions", "graph__name"]
    list_select_related = ["graph", "graph__workspace"]
    raw_id_fields = ["graph"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AgentVersionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("outgoing_edges__target")

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "graph"] if obj else self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = [*AgentForm.Meta.fields, "handoffs", *self.readonly_fields]
        # Handoff targets are agents of the same graph, so they are chosen once the agent exists.
        return fields if obj else [f for f in fields if f != "handoffs"]

    @admin.display(ordering="graph__workspace__name")
    def workspace(self, obj):
        return obj.graph.workspace

    @admin.display(description="tools")
    def tool_types(self, obj):
        return ", ".join(
            t.get("function", {}).get("name", "function")
            if t.get("type") == "function"
            else t["type"]
            for t in obj.tools
            if isinstance(t, dict) and "type" in t
        )

    @admin.display(description="handoffs")
    def handoff_names(self, obj):
        return ", ".join(e.target.name for e in obj.outgoing_edges.all())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {k: data[k] for k in AgentForm.Meta.fields if k != "graph" and k in data}
        if change:
            services.agent_update(
                actor=request.user,
                agent=obj,
                changes=fields,
                handoffs=[a.pk for a in data.get("handoffs", [])],
            )
        else:
            created = services.agent_create(actor=request.user, graph=data["graph"], **fields)
            obj.pk = created.pk
            obj._state.adding = False

    def delete_model(self, request, obj):
        services.agent_delete(actor=request.user, agent=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(HandoffEdge)
class HandoffEdgeAdmin(ReadOnlyAdmin):
    """Edges are an agent's `handoffs`; edit them on the agent so a version is recorded."""

    list_display = ["source", "target", "graph", "created_at"]
    list_filter = ["source__graph__workspace", "source__graph"]
    search_fields = ["source__name", "target__name", "source__graph__name"]
    list_select_related = ["source", "target", "source__graph"]

    @admin.display(ordering="source__graph__name")
    def graph(self, obj):
        return obj.source.graph


@admin.register(AgentVersion)
class AgentVersionAdmin(ReadOnlyAdmin):
    list_display = ["agent", "number", "graph", "author", "changed", "created_at"]
    list_filter = ["created_at", "agent__graph__workspace", "author"]
    search_fields = ["agent__name", "agent__graph__name", "author__username"]
    list_select_related = ["agent", "agent__graph", "author"]
    fields = ["agent", "number", "author", "created_at", "changed_fields", "pretty_snapshot"]
    readonly_fields = fields

    @admin.display(ordering="agent__graph__name")
    def graph(self, obj):
        return obj.agent.graph

    @admin.display(description="changed")
    def changed(self, obj):
        return ", ".join(obj.changed_fields)

    @admin.display(description="snapshot")
    def pretty_snapshot(self, obj):
        return format_html_join(
            "\n",
            "<p><strong>{}</strong></p><pre>{}</pre>",
            (
                (key, value if isinstance(value, str) else json.dumps(value, indent=2))
                for key, value in obj.snapshot.items()
            ),
        )


from agents import admin_invitations  # noqa: E402, F401 - registers InvitationAdmin
