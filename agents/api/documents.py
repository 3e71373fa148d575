"""/api/graphs/{id}/document/: the editor's whole graph, read and saved in one piece."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agents import selectors
from agents.api.base import ApiView
from agents.api.serializers import AgentSerializer, GraphSerializer
from agents.services.documents import graph_document_save
from workspaces.roles import Role


class DocumentSaveInput(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=0,
        help_text="The graph revision the document is based on; a stale one is answered with 409.",
    )
    document = serializers.JSONField(
        help_text=(
            "The graph as /api/graphs/{id}/export/ gives it (agents, their handoffs and the entry "
            "agent by name), each existing agent with its `id`. Agents without `id` are created; "
            "agents of the graph the document leaves out are deleted."
        )
    )


class GraphDocumentSerializer(serializers.Serializer):
    graph = GraphSerializer()
    agents = AgentSerializer(many=True)


def _document(request, graph_id) -> dict:
    graph = selectors.graph_get_for_user(request.user, graph_id)
    agents = selectors.agents_of_graph_listed(graph)
    return {
        "graph": GraphSerializer(graph).data,
        "agents": AgentSerializer(agents, many=True).data,
    }


class GraphDocumentView(ApiView):
    # No serializer_class: the schema is declared per method, and OPTIONS then describes the
    # view without asking for a queryset it has no use for.

    @extend_schema(responses=GraphDocumentSerializer)
    def get(self, request, graph_id):
        return Response(_document(request, graph_id))

    @extend_schema(
        request=DocumentSaveInput,
        responses={200: GraphDocumentSerializer},
        description=(
            "Replace the graph's agents, handoffs, entry agent, name and description with the "
            "document, all or nothing: 409 if `revision` is stale, 400 with the path of each "
            "problem (`document.agents[2].tools[0].function.name`); the answer carries the new "
            "revision and the agents' ids."
        ),
    )
    def put(self, request, graph_id):
        graph = selectors.graph_get_for_user(request.user, graph_id, Role.EDITOR)
        data = self.validated(DocumentSaveInput)
        graph_document_save(
            actor=request.user,
            graph=graph,
            document=data["document"],
            expected_revision=data["revision"],
        )
        return Response(_document(request, graph_id))
