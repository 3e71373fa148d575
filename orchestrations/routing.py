from django.urls import path

from orchestrations.consumers import RunConsumer

websocket_urlpatterns = [
    path("ws/orchestration-runs/<str:pk>/", RunConsumer.as_asgi()),
]
