"""REST endpoints of orchestrations and their runs: validate the shape, call one service."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from agents.api.base import ApiView, revision_from_query
from agents.selectors import graph_get_for_user
from conversations.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from conversations.api.views import ConversationErrorsMixin
from orchestrations import selectors, services
from orchestrations.api import serializers as s
from orchestrations.models import Status
from orchestrations.spec import spec_errors
from workspaces.roles import Role

REVISION_PARAM = OpenApiParameter("revision", int, description="Expected graph revision.")


def _after(request) -> int:
    raw = request.query_params.get("after") or "0"
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"after": ["A valid integer is required."]}) from None
    if value < 0:
        raise ValidationError({"after": ["Must be at least 0."]})
    return value


def _run_body(request, run_id) -> dict:
    run = selectors.run_get_for_user(request.user, run_id)
    steps = list(selectors.steps_of(run))
    body = s.RunOutput(run).data
    body["steps"] = s.StepOutput(steps, many=True).data
    return body


class GraphOrchestrationsView(mixins.ListModelMixin, ApiView):
    serializer_class = s.OrchestrationOutput

    def get_queryset(self):
        graph = graph_get_for_user(self.request.user, self.kwargs["graph_id"])
        return selectors.orchestrations_for_user(self.request.user).filter(graph=graph)

    def get(self, request, graph_id):
        return self.list(request)

    @extend_schema(request=s.OrchestrationInput, responses={201: s.OrchestrationOutput})
    def post(self, request, graph_id):
        graph = graph_get_for_user(request.user, graph_id, Role.EDITOR)
        data = self.validated(s.OrchestrationInput)
        orchestration = services.orchestration_create(
            actor=request.user,
            graph=graph,
            name=data["name"],
            description=data.get("description", ""),
            spec=data["spec"],
            expected_revision=data.get("revision"),
        )
        orchestration.graph.refresh_from_db(fields=["revision"])
        return Response(s.OrchestrationOutput(orchestration).data, status=status.HTTP_201_CREATED)


class GraphOrchestrationValidateView(ApiView):
    """The builder's check as you type: the same validator, nothing saved."""

    @extend_schema(request=s.OrchestrationUpdateInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, graph_id):
        graph = graph_get_for_user(request.user, graph_id)
        data = self.validated(s.OrchestrationUpdateInput)
        names = set(graph.agents.values_list("name", flat=True))
        return Response({"errors": spec_errors(data.get("spec"), names)})


class OrchestrationDetailView(ApiView):
    serializer_class = s.OrchestrationOutput

    def get_object(self):  # OPTIONS asks for it to describe PUT
        return selectors.orchestration_get_for_user(self.request.user, self.kwargs["pk"])

    def get(self, request, pk):
        return Response(
            s.OrchestrationOutput(selectors.orchestration_get_for_user(request.user, pk)).data
        )

    @extend_schema(request=s.OrchestrationUpdateInput, responses=s.OrchestrationOutput)
    def patch(self, request, pk):
        orchestration = selectors.orchestration_get_for_user(request.user, pk, Role.EDITOR)
        data = self.validated(s.OrchestrationUpdateInput)
        expected = data.pop("revision", None)
        services.orchestration_update(
            actor=request.user, orchestration=orchestration, expected_revision=expected, **data
        )
        return Response(
            s.OrchestrationOutput(selectors.orchestration_get_for_user(request.user, pk)).data
        )

    @extend_schema(request=s.OrchestrationUpdateInput, responses=s.OrchestrationOutput)
    def put(self, request, pk):
        return self.patch(request, pk)

    @extend_schema(parameters=[REVISION_PARAM])
    def delete(self, request, pk):
        orchestration = selectors.orchestration_get_for_user(request.user, pk, Role.EDITOR)
        services.orchestration_delete(
            actor=request.user,
            orchestration=orchestration,
            expected_revision=revision_from_query(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrchestrationRunsView(ConversationErrorsMixin, mixins.ListModelMixin, ApiView):
    # The mixin answers the Idempotency-Key's own errors (422, 409) as the conversations do.
    serializer_class = s.RunSummary

    def get_queryset(self):
        orchestration = selectors.orchestration_get_for_user(self.request.user, self.kwargs["pk"])
        return selectors.runs_for_user(self.request.user).filter(orchestration=orchestration)

    def get(self, request, pk):
        return self.list(request)

    @extend_schema(
        request=s.RunInput, responses={201: s.RunCreated}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request, pk):
        orchestration = selectors.orchestration_get_for_user(request.user, pk, Role.OPERATOR)
        data = self.validated(s.RunInput)
        run = services.run_start(
            actor=request.user, orchestration=orchestration, inputs=data["inputs"]
        )
        return Response(s.RunCreated(run).data, status=status.HTTP_201_CREATED)


class RunListView(mixins.ListModelMixin, ApiView):
    serializer_class = s.RunSummary

    def get_queryset(self):
        runs = selectors.runs_for_user(self.request.user)
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in Status.values:
                raise ValidationError({"status": [f"One of {', '.join(Status.values)}."]})
            runs = runs.filter(status=params["status"])
        if params.get("graph"):
            runs = runs.filter(graph=graph_get_for_user(self.request.user, params["graph"]))
        return runs.order_by("-created_at")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("graph", OpenApiTypes.UUID),
        ]
    )
    def get(self, request):
        return self.list(request)


class RunDetailView(ApiView):
    serializer_class = s.RunOutput

    def get(self, request, pk):
        return Response(_run_body(request, pk))


class RunCancelView(ConversationErrorsMixin, ApiView):
    @extend_schema(request=None, responses={202: s.RunOutput}, parameters=[IDEMPOTENCY_PARAMETER])
    @idempotent
    def post(self, request, pk):
        run = selectors.run_get_for_user(request.user, pk, Role.OPERATOR)
        services.run_cancel(actor=request.user, run=run)
        return Response(_run_body(request, pk), status=status.HTTP_202_ACCEPTED)


class RunEventsView(ApiView):
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("after", int)], responses=s.RunEventOutput(many=True)
    )
    def get(self, request, pk):
        run = selectors.run_get_for_user(request.user, pk)
        events = selectors.run_events_after(run, _after(request), 1000)
        return Response([event.as_message() for event in events])
