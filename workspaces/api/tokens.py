"""/api/tokens/: the signed-in user's own API token."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from workspaces.services import NoToken, token_create, token_revoke

TokenOutput = inline_serializer(
    "TokenOutput", {"key": serializers.CharField(), "created": serializers.DateTimeField()}
)


class TokenView(APIView):
    @extend_schema(request=None, responses={201: TokenOutput})
    def post(self, request):
        """Create a token for yourself; any previous token stops working. The key is shown once."""
        token = token_create(actor=request.user, user=request.user)
        return Response(
            {"key": token.key, "created": token.created}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        try:
            token_revoke(actor=request.user, user=request.user)
        except NoToken as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)
