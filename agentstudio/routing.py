"""Every app's WebSocket routes, gathered for asgi.py."""

from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from agentstudio.consumers import SystemConsumer
from conversations.routing import websocket_urlpatterns as conversation_urlpatterns

websocket_urlpatterns = [
    path("ws/system/", SystemConsumer.as_asgi()),
    *conversation_urlpatterns,
    # Last: without it URLRouter raises on an unknown path and the server logs a traceback for
    # every stray or hostile handshake; this refuses it with a plain 403 instead.
    re_path(r"", WebsocketDenier.as_asgi()),
]
