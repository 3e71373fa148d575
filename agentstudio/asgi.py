import os

from agentstudio.asgi_handler import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.dev")
# Before importing consumers: it sets up Django. Request threads are reused (asgi_handler).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.urls import re_path  # noqa: E402

from agentstudio.ws_auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402
from agentstudio.ws_origin import browser_origin_validator  # noqa: E402
from conversations.routing import websocket_urlpatterns  # noqa: E402
from observability.asgi import CountWebSockets  # noqa: E402
from orchestrations.routing import websocket_urlpatterns as orchestration_routes  # noqa: E402

websocket_routes = [
    *websocket_urlpatterns,
    *orchestration_routes,
    # Last: without it URLRouter raises on an unknown path and the server logs a traceback for
    # every stray or hostile handshake; this refuses it with a plain 403 instead.
    re_path(r"", WebsocketDenier.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": CountWebSockets(
            browser_origin_validator(TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_routes)))
        ),
    }
)
