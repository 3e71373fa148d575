"""REST endpoints of the suites: validate, call one service, answer with what it made."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.selectors import graph_get_for_user
from conversations.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from conversations.api.views import ConversationErrorsMixin
from conversations.selectors import conversation_get_for_user
from evaluations import selectors, services
from evaluations.api import serializers as s
from evaluations.validation import CaseErrors
from workspaces.roles import Role


class SuiteErrorsMixin(ConversationErrorsMixin):
    def handle_exception(self, exc):
        if isinstance(exc, CaseErrors):
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


class GraphSuites(SuiteErrorsMixin, APIView):
    @extend_schema(responses={200: s.SuiteOutput(many=True)})
    def get(self, request, pk):
        graph = graph_get_for_user(request.user, pk)
        suites = selectors.suites_for_user(request.user).filter(graph=graph)
        return Response(s.SuiteOutput(suites.prefetch_related("cases"), many=True).data)

    @extend_schema(request=s.SuiteInput, responses={201: s.SuiteOutput})
    def post(self, request, pk):
        graph = graph_get_for_user(request.user, pk, Role.EDITOR)
        data = s.SuiteInput(data=request.data)
        data.is_valid(raise_exception=True)
        suite = services.suite_create(
            actor=request.user,
            graph=graph,
            name=data.validated_data["name"],
            cases=data.validated_data["cases"],
        )
        return Response(s.SuiteOutput(suite).data, status=status.HTTP_201_CREATED)


class SuiteDetail(APIView):
    @extend_schema(responses={200: s.SuiteOutput})
    def get(self, request, pk):
        return Response(s.SuiteOutput(selectors.suite_get_for_user(request.user, pk)).data)


class SuiteCases(SuiteErrorsMixin, APIView):
    @extend_schema(request=s.CaseFromConversationInput, responses={201: s.CaseOutput})
    def post(self, request, pk):
        suite = selectors.suite_get_for_user(request.user, pk, Role.EDITOR)
        data = s.CaseFromConversationInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            conversation = conversation_get_for_user(
                request.user, data.validated_data["from_conversation"]
            )
        except Exception:
            raise CaseErrors({"from_conversation": ["Unknown conversation."]}) from None
        case = services.case_from_conversation(
            actor=request.user,
            suite=suite,
            conversation=conversation,
            name=data.validated_data["name"],
        )
        return Response(s.CaseOutput(case).data, status=status.HTTP_201_CREATED)


class SuiteRuns(SuiteErrorsMixin, APIView):
    @extend_schema(responses={200: s.SuiteRunOutput(many=True)})
    def get(self, request, pk):
        suite = selectors.suite_get_for_user(request.user, pk)
        return Response(s.SuiteRunOutput(selectors.runs_of(suite), many=True).data)

    @extend_schema(
        request=None, responses={201: s.SuiteRunOutput}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request, pk):
        suite = selectors.suite_get_for_user(request.user, pk, Role.OPERATOR)
        run = services.suite_run_start(actor=request.user, suite=suite)
        return Response(s.SuiteRunOutput(run).data, status=status.HTTP_201_CREATED)


class SuiteRunDetail(APIView):
    @extend_schema(responses={200: s.SuiteRunOutput})
    def get(self, request, pk):
        return Response(s.SuiteRunOutput(selectors.run_get_for_user(request.user, pk)).data)
