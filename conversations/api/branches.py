"""REST endpoints of branches: branch from an entry, and a conversation's branch tree."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import selectors
from conversations.api import serializers as s
from conversations.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from conversations.api.views import ConversationErrorsMixin
from conversations.services.branches import AGENT_VERSION_CHOICES, conversation_branch
from workspaces.roles import Role


class BranchInput(serializers.Serializer):
    # Not a UUIDField: a malformed id gets the same answer as an unknown one (the service's).
    from_entry = serializers.CharField(max_length=64)
    inputs = serializers.JSONField(required=False, allow_null=True, default=None)
    agent_versions = serializers.ChoiceField(choices=AGENT_VERSION_CHOICES, default="current")


class ConversationBranch(ConversationErrorsMixin, APIView):
    @extend_schema(
        request=BranchInput,
        responses={201: s.ConversationOutput},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, pk):
        parent = selectors.conversation_get_for_user(request.user, pk, Role.OPERATOR)
        data = BranchInput(data=request.data)
        data.is_valid(raise_exception=True)
        branch = conversation_branch(
            actor=request.user,
            parent=parent,
            from_entry=data.validated_data["from_entry"],
            inputs=data.validated_data["inputs"],
            agent_versions=data.validated_data["agent_versions"],
        )
        return Response(s.ConversationOutput(branch).data, status=status.HTTP_201_CREATED)


class ConversationTree(APIView):
    """The branch tree the conversation belongs to, from its root: nested `branches`."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        conversation = selectors.conversation_get_for_user(request.user, pk)
        return Response(selectors.branch_tree(conversation))
