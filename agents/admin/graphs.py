"""Graphs, edited through the services, and their handoff edges, which are read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count

from agents import services, validation
from agents.models import Agent, Graph, HandoffEdge
from audit.admin_tools import ReadOnlyModelAdmin, ReadOnlyTabularInline, related_display
from workspaces.admin.common import ServiceDeleteMixin, adopt, attach_errors


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
        attach_errors(self, errors)
        return data


class AgentInline(ReadOnlyTabularInline):
    model = Agent
    fields = ["name", "model", "description"]


@admin.register(Graph)
class GraphAdmin(ServiceDeleteMixin, admin.ModelAdmin):
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
            adopt(obj, created)

    def delete_model(self, request, obj):
        services.graph_delete(actor=request.user, graph=obj)


@admin.register(HandoffEdge)
class HandoffEdgeAdmin(ReadOnlyModelAdmin):
    """Edges are an agent's `handoffs`; edit them on the agent so a version is recorded."""

    list_display = ["source", "target", "graph", "created_at"]
    list_filter = ["source__graph__workspace", "source__graph"]
    search_fields = ["source__name", "target__name", "source__graph__name"]
    list_select_related = ["source", "target", "source__graph"]

    graph = related_display("source.graph")
