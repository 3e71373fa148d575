"""WebSocket authentication: the session cookie, or an `Authorization: Token <key>` header."""

from channels.auth import AuthMiddlewareStack
from channels.middleware import BaseMiddleware

from conversations.socket_db import SocketRead


@SocketRead
def _user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    try:
        return Token.objects.select_related("user").get(key=key).user
    except Token.DoesNotExist:
        return None


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin1")
        if auth.lower().startswith("token "):
            user = await _user_for_token(auth.split(None, 1)[1].strip())
            if user is not None and user.is_active:
                scope = dict(scope, user=user)
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 - mirrors channels' naming
    # The session stack sets scope["user"]; the token middleware, inside it, overrides it.
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
