from django.urls import path

from conversations.consumers import ConversationConsumer, FeedConsumer

websocket_urlpatterns = [
    path("ws/conversations/<str:pk>/", ConversationConsumer.as_asgi()),
    path("ws/feed/", FeedConsumer.as_asgi()),
]
