"""/api/agents/: CRUD with handoffs, and the version history."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from agents import selectors, services
from agents.api.base import ApiView, revision_from_query
from agents.api.graphs import REVISION_PARAM
from agents.api.serializers import (
    AgentCreateInput,
    AgentFieldsInput,
    AgentSerializer,
    AgentVersionSerializer,
    RevisionInput,
)
from workspaces.roles import Role


def _fresh(request, agent_id) -> dict:
    # Re-read after a write so `handoffs` and `revision` reflect what was committed.
    return AgentSerializer(selectors.agent_get_for_user(request.user, agent_id)).data


class AgentListView(mixins.ListModelMixin, ApiView):
    serializer_class = AgentSerializer

    def get_queryset(self):
        agents = selectors.agents_for_user(self.request.user)
        graph_id = self.request.query_params.get("graph")
        if graph_id:
            agents = agents.filter(graph=selectors.graph_get_for_user(self.request.user, graph_id))
        return agents.order_by("graph_id", "name", "id")

    @extend_schema(parameters=[OpenApiParameter("graph", OpenApiTypes.UUID)])
    def get(self, request):
        return self.list(request)

    @extend_schema(request=AgentCreateInput, responses={201: AgentSerializer})
    def post(self, request):
        data = self.validated(AgentCreateInput)
        graph = selectors.graph_get_for_user(request.user, data.pop("graph"), Role.EDITOR)
        expected = data.pop("revision", None)
        agent = services.agent_create(
            actor=request.user, graph=graph, expected_revision=expected, **data
        )
        return Response(_fresh(request, agent.pk), status=status.HTTP_201_CREATED)


class AgentDetailView(ApiView):
    serializer_class = AgentSerializer

    def get(self, request, agent_id):
        return Response(_fresh(request, agent_id))

    @extend_schema(request=AgentFieldsInput, responses=AgentSerializer)
    def patch(self, request, agent_id):
        agent = selectors.agent_get_for_user(request.user, agent_id, Role.EDITOR)
        data = self.validated(AgentFieldsInput)
        expected = data.pop("revision", None)
        handoffs = data.pop("handoffs", None)
        services.agent_update(
            actor=request.user,
            agent=agent,
            changes=data,
            handoffs=handoffs,
            expected_revision=expected,
        )
        return Response(_fresh(request, agent_id))

    @extend_schema(parameters=[REVISION_PARAM])
    def delete(self, request, agent_id):
        agent = selectors.agent_get_for_user(request.user, agent_id, Role.EDITOR)
        services.agent_delete(
            actor=request.user, agent=agent, expected_revision=revision_from_query(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AgentVersionListView(mixins.ListModelMixin, ApiView):
    serializer_class = AgentVersionSerializer

    def get_queryset(self):
        agent = selectors.agent_get_for_user(self.request.user, self.kwargs["agent_id"])
        return selectors.agent_versions(agent)

    def get(self, request, agent_id):
        return self.list(request)


class AgentVersionRestoreView(ApiView):
    @extend_schema(request=RevisionInput, responses=AgentSerializer)
    def post(self, request, agent_id, number):
        agent = selectors.agent_get_for_user(request.user, agent_id, Role.EDITOR)
        version = selectors.agent_version_get(agent, number)
        data = self.validated(RevisionInput)
        services.agent_version_restore(
            actor=request.user,
            agent=agent,
            number=version.number,
            expected_revision=data.get("revision"),
        )
        return Response(_fresh(request, agent_id))
