"""/api/graphs/: CRUD, validation report, export and import."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from agents import portable, selectors, services
from agents.api.base import ApiView, revision_from_query
from agents.api.serializers import (
    GraphCreateInput,
    GraphImportInput,
    GraphReportSerializer,
    GraphSerializer,
    GraphUpdateInput,
)
from workspaces.roles import Role
from workspaces.selectors import workspace_get_for_user

REVISION_PARAM = OpenApiParameter(
    "revision", int, description="Expected graph revision (409 if stale)."
)


def _fresh(request, graph_id) -> dict:
    return GraphSerializer(selectors.graph_get_for_user(request.user, graph_id)).data


class GraphListView(mixins.ListModelMixin, ApiView):
    serializer_class = GraphSerializer

    def get_queryset(self):
        graphs = selectors.graphs_for_user(self.request.user)
        workspace_id = self.request.query_params.get("workspace")
        if workspace_id:
            # A foreign or malformed workspace id is a 404, like every foreign object.
            graphs = graphs.filter(
                workspace=workspace_get_for_user(self.request.user, workspace_id)
            )
        return graphs.order_by("name", "id")

    @extend_schema(parameters=[OpenApiParameter("workspace", OpenApiTypes.UUID)])
    def get(self, request):
        return self.list(request)

    @extend_schema(request=GraphCreateInput, responses={201: GraphSerializer})
    def post(self, request):
        data = self.validated(GraphCreateInput)
        workspace = workspace_get_for_user(request.user, data["workspace"], Role.EDITOR)
        graph = services.graph_create(
            actor=request.user,
            workspace=workspace,
            name=data["name"],
            description=data.get("description", ""),
        )
        return Response(_fresh(request, graph.pk), status=status.HTTP_201_CREATED)


class GraphDetailView(ApiView):
    serializer_class = GraphSerializer

    def get(self, request, graph_id):
        return Response(_fresh(request, graph_id))

    @extend_schema(request=GraphUpdateInput, responses=GraphSerializer)
    def patch(self, request, graph_id):
        graph = selectors.graph_get_for_user(request.user, graph_id, Role.EDITOR)
        data = self.validated(GraphUpdateInput)
        expected = data.pop("revision", None)
        if "entry_agent" in data:
            data["entry_agent_id"] = data.pop("entry_agent")
        services.graph_update(actor=request.user, graph=graph, expected_revision=expected, **data)
        return Response(_fresh(request, graph_id))

    @extend_schema(parameters=[REVISION_PARAM])
    def delete(self, request, graph_id):
        graph = selectors.graph_get_for_user(request.user, graph_id, Role.EDITOR)
        services.graph_delete(
            actor=request.user, graph=graph, expected_revision=revision_from_query(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class GraphValidateView(ApiView):
    serializer_class = GraphReportSerializer

    def get(self, request, graph_id):
        graph = selectors.graph_get_for_user(request.user, graph_id)
        return Response(selectors.graph_validation(graph))


class GraphExportView(ApiView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, graph_id):
        graph = selectors.graph_get_for_user(request.user, graph_id)
        return Response(portable.graph_export(graph))


class GraphImportView(ApiView):
    @extend_schema(request=GraphImportInput, responses={201: GraphSerializer})
    def post(self, request):
        data = self.validated(GraphImportInput)
        workspace = workspace_get_for_user(request.user, data["workspace"], Role.EDITOR)
        graph = services.graph_import(
            actor=request.user, workspace=workspace, document=data["document"]
        )
        return Response(_fresh(request, graph.pk), status=status.HTTP_201_CREATED)
