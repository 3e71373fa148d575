"""`GET /api/conversations/compare/?a=&b=`: two conversations of one graph, aligned."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import selectors
from conversations.comparison import compare


def pair_for_user(user, params) -> tuple:
    for name in ("a", "b"):
        if not params.get(name):
            raise ValidationError({name: ["Choose a conversation."]})
    a = selectors.conversation_get_for_user(user, params["a"])
    b = selectors.conversation_get_for_user(user, params["b"])
    if a.graph_id != b.graph_id:
        raise ValidationError({"b": ["Choose a conversation of the same graph."]})
    return a, b


class ConversationCompare(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("a", str), OpenApiParameter("b", str)],
        responses={200: dict},
    )
    def get(self, request):
        a, b = pair_for_user(request.user, request.query_params)
        return Response(compare(a, b))
