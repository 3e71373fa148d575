"""Agents, edited through the services with the API's validation, and their version history."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.utils.html import format_html_join

from agents import services, validation
from agents.models import Agent, AgentVersion
from audit.admin_tools import ReadOnlyModelAdmin, ReadOnlyTabularInline, related_display
from audit.display import pretty_json
from workspaces import jsonbody
from workspaces.admin.common import ServiceDeleteMixin, adopt, attach_errors


class PrettyJSONField(forms.JSONField):
    """Decodes through workspaces.jsonbody: Django's field lets a deeply nested value raise
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
        return pretty_json(value, sort_keys=False)


class AgentForm(forms.ModelForm):
    tools = PrettyJSONField(required=False, initial=list)
    completion_args = PrettyJSONField(required=False, initial=dict)
    handoffs = forms.ModelMultipleChoiceField(
        queryset=Agent.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Agent
        fields = ["graph", *validation.AGENT_CONFIG_FIELDS, "position_x", "position_y"]

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
        attach_errors(self, errors)
        return data


class AgentVersionInline(ReadOnlyTabularInline):
    model = AgentVersion
    fields = ["number", "changed_fields", "author", "created_at"]
    ordering = ["-number"]


@admin.register(Agent)
class AgentAdmin(ServiceDeleteMixin, admin.ModelAdmin):
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

    workspace = related_display("graph.workspace")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("outgoing_edges__target")

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "graph"] if obj else self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = [*AgentForm.Meta.fields, "handoffs", *self.readonly_fields]
        # Handoff targets are agents of the same graph, so they are chosen once the agent exists.
        return fields if obj else [f for f in fields if f != "handoffs"]

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
            adopt(obj, created)

    def delete_model(self, request, obj):
        services.agent_delete(actor=request.user, agent=obj)


@admin.register(AgentVersion)
class AgentVersionAdmin(ReadOnlyModelAdmin):
    list_display = ["agent", "number", "graph", "author", "changed", "created_at"]
    list_filter = ["created_at", "agent__graph__workspace", "author"]
    search_fields = ["agent__name", "agent__graph__name", "author__username"]
    list_select_related = ["agent", "agent__graph", "author"]
    fields = ["agent", "number", "author", "created_at", "changed_fields", "pretty_snapshot"]
    readonly_fields = fields

    graph = related_display("agent.graph")

    @admin.display(description="changed")
    def changed(self, obj):
        return ", ".join(obj.changed_fields)

    @admin.display(description="snapshot")
    def pretty_snapshot(self, obj):
        return format_html_join(
            "\n",
            "<p><strong>{}</strong></p><pre>{}</pre>",
            (
                (key, value if isinstance(value, str) else pretty_json(value, sort_keys=False))
                for key, value in obj.snapshot.items()
            ),
        )
