"""Every app's WebSocket routes, gathered for asgi.py."""

from django.urls import path

from agentstudio.consumers import SystemConsumer
from conversations.routing import websocket_urlpatterns as conversation_urlpatterns

websocket_urlpatterns = [
    path("ws/system/", SystemConsumer.as_asgi()),
    *conversation_urlpatterns,
]
