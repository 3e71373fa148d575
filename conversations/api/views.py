"""REST endpoints of conversations, pending actions and files: validate, call one service."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.selectors import agent_get_for_user, graph_get_for_user
from conversations import selectors, services
from conversations.api import serializers as s
from conversations.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from conversations.errors import ConversationError
from conversations.models import PendingAction, Status
from workspaces.roles import Role


class ConversationErrorsMixin:
    def handle_exception(self, exc):
        if isinstance(exc, ConversationError):
            return Response(exc.as_body(), status=exc.status_code)
        return super().handle_exception(exc)


def int_param(request, name: str, default: int, minimum: int = 0, maximum: int | None = None):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A valid integer is required."]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ValidationError({name: [f"Must be between {minimum} and {maximum}."]})
    return value


class ConversationListCreate(ConversationErrorsMixin, generics.ListAPIView):
    serializer_class = s.ConversationOutput

    def get_queryset(self):
        queryset = selectors.conversations_for_user(self.request.user)
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in Status.values:
                raise ValidationError({"status": [f"One of {', '.join(Status.values)}."]})
            queryset = queryset.filter(status=params["status"])
        if params.get("graph"):
            queryset = queryset.filter(graph=graph_get_for_user(self.request.user, params["graph"]))
        return queryset.order_by("-created_at")

    @extend_schema(
        request=s.StartInput,
        responses={201: s.ConversationOutput},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request):
        data = s.StartInput(data=request.data)
        data.is_valid(raise_exception=True)
        agent = agent_get_for_user(
            request.user, data.validated_data["agent"], Role.OPERATOR, handoffs=False
        )
        conversation = services.conversation_start(
            actor=request.user,
            agent=agent,
            inputs=data.validated_data["inputs"],
            handoff_execution=data.validated_data["handoff_execution"],
            metadata=data.validated_data.get("metadata"),
            runtime=data.validated_data.get("runtime"),
        )
        # As created (queued): a fast worker may already be running it by now.
        return Response(s.ConversationOutput(conversation).data, status=status.HTTP_201_CREATED)


class ConversationDetail(generics.RetrieveAPIView):
    serializer_class = s.ConversationOutput

    def get_object(self):
        return selectors.conversation_get_for_user(self.request.user, self.kwargs["pk"])


class ConversationEntries(generics.ListAPIView):
    serializer_class = s.EntryOutput
    pagination_class = None

    def get_queryset(self):
        conversation = selectors.conversation_get_for_user(self.request.user, self.kwargs["pk"])
        return selectors.entries_of(conversation)


class ConversationEvents(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("after", int), OpenApiParameter("limit", int)],
        responses=s.EventOutput(many=True),
    )
    def get(self, request, pk):
        conversation = selectors.conversation_get_for_user(request.user, pk)
        after = int_param(request, "after", 0)
        limit = int_param(request, "limit", 1000, minimum=1, maximum=5000)
        events = selectors.events_after(conversation, after, limit)
        return Response([event.as_message() for event in events])


class ConversationMessages(ConversationErrorsMixin, APIView):
    @extend_schema(
        request=s.MessageInput,
        responses={202: s.ConversationOutput},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, pk):
        conversation = selectors.conversation_get_for_user(request.user, pk, Role.OPERATOR)
        data = s.MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        agent = None
        if data.validated_data.get("agent"):
            try:
                agent = agent_get_for_user(request.user, data.validated_data["agent"])
            except (Http404, PermissionDenied):
                raise ValidationError({"agent": ["Unknown agent."]}) from None
        services.conversation_send_message(
            actor=request.user,
            conversation=conversation,
            inputs=data.validated_data["inputs"],
            agent=agent,
        )
        conversation = selectors.conversation_get_for_user(request.user, pk)
        return Response(s.ConversationOutput(conversation).data, status=status.HTTP_202_ACCEPTED)


class ConversationCancel(ConversationErrorsMixin, APIView):
    @extend_schema(
        request=None, responses={202: s.ConversationOutput}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request, pk):
        conversation = selectors.conversation_get_for_user(request.user, pk, Role.OPERATOR)
        services.conversation_cancel(actor=request.user, conversation=conversation)
        conversation = selectors.conversation_get_for_user(request.user, pk)
        return Response(s.ConversationOutput(conversation).data, status=status.HTTP_202_ACCEPTED)


class PendingList(generics.ListAPIView):
    serializer_class = s.PendingOutput

    def get_queryset(self):
        queryset = selectors.pending_for_user(self.request.user)
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in ("pending", "resolved", "cancelled"):
                raise ValidationError({"status": ["One of pending, resolved, cancelled."]})
            queryset = queryset.filter(status=params["status"])
        if params.get("conversation"):
            conversation = selectors.conversation_get_for_user(
                self.request.user, params["conversation"]
            )
            queryset = queryset.filter(conversation=conversation)
        return queryset.order_by("-created_at")


EMPTY_RESULT_MESSAGE = (
    'The result is empty. Send "allow_empty": true to send an empty result on purpose.'
)


class PendingResolve(ConversationErrorsMixin, APIView):
    @extend_schema(
        request=s.ResolveInput, responses={200: s.PendingOutput}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request, pk):
        action = selectors.pending_get_for_user(request.user, pk, Role.OPERATOR)
        data = s.ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = data.validated_data.get("result")
        if (
            action.kind == PendingAction.Kind.FUNCTION_CALL
            and isinstance(result, str)
            and not result.strip()
            and not data.validated_data["allow_empty"]
        ):
            # An empty answer is usually a slip of the Enter key, and the model would take it
            # as the function's real output; sending one takes an explicit confirmation.
            raise ValidationError({"result": [EMPTY_RESULT_MESSAGE]})
        services.pending_resolve(
            actor=request.user,
            action=action,
            result=result,
            decision=data.validated_data.get("decision"),
        )
        action = selectors.pending_get_for_user(request.user, pk)
        return Response(s.PendingOutput(action).data)


class FileDetail(generics.RetrieveAPIView):
    serializer_class = s.FileOutput

    def get_object(self):
        return selectors.file_get_for_user(self.request.user, self.kwargs["pk"])


class GraphSync(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, pk):
        from integrations.mistral import backend

        graph = graph_get_for_user(request.user, pk, Role.EDITOR)
        try:
            result = services.graph_sync_requested(actor=request.user, graph=graph)
        except backend.BackendError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)
        return Response(
            {
                "backend": backend.backend_key(),
                "agents": [
                    {"agent": str(agent_id), "remote_id": r.remote_id, "version": r.remote_version}
                    for agent_id, r in result.remotes.items()
                ],
                # Agents found changed on the backend behind our back, and restored.
                "drift_repaired": [drift.as_dict() for drift in result.repaired],
            }
        )


INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class FileDownload(APIView):
    """Generated files are never public: membership of the conversation's workspace is checked.

    Only an explicit download (the response is an attachment) is audited. Showing an image in
    the page (`?inline=1`) is not a download: the browser fetches it again on every render and
    reload, and a row per fetch would bury the real downloads. HEAD is never audited either."""

    def _serve(self, request, pk):
        generated = selectors.file_get_for_user(request.user, pk)
        # Model-made files are untrusted: only raster images may be shown in the page; anything
        # else (HTML, SVG…) would run on our origin, so it is always a download.
        inline = (
            request.query_params.get("inline") == "1"
            and request.query_params.get("download") != "1"
            and generated.type in INLINE_TYPES
        )
        return generated, inline

    def _headers(self, response, inline: bool):
        response["Content-Security-Policy"] = "sandbox"
        if inline:
            # The page shows the same image on every render: let the browser keep it.
            response["Cache-Control"] = "private, max-age=3600"
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("inline", str, description="`1`: show a raster image in the page."),
            OpenApiParameter("download", str, description="`1`: always an attachment."),
        ],
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request, pk):
        from django.http import FileResponse

        generated, inline = self._serve(request, pk)
        if inline:
            handle = generated.file.open("rb")  # a read, not a download: nothing to record
        else:
            handle = services.file_download(actor=request.user, generated=generated)
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=generated.name,
            content_type=generated.type if inline else "application/octet-stream",
        )
        return self._headers(response, inline)

    def head(self, request, pk):
        """The headers a GET would send, without the file and without an audit row."""
        from django.http import HttpResponse
        from django.utils.http import content_disposition_header

        generated, inline = self._serve(request, pk)
        response = HttpResponse(
            content_type=generated.type if inline else "application/octet-stream"
        )
        response["Content-Length"] = str(generated.size)
        disposition = content_disposition_header(not inline, generated.name)
        if disposition:
            response["Content-Disposition"] = disposition
        return self._headers(response, inline)
