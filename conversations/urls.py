from django.urls import path

from conversations import compare_views, views

urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation-list"),
    path("conversations/compare/", compare_views.conversation_compare, name="conversation-compare"),
    path("conversations/<uuid:pk>/", views.conversation_detail, name="conversation-detail"),
    path(
        "conversations/<uuid:pk>/rendered/",
        views.conversation_rendered,
        name="conversation-rendered",
    ),
    path("graphs/<uuid:graph_pk>/start/", views.conversation_start, name="conversation-start"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/count/", views.inbox_count, name="inbox-count"),
    path("inbox/<uuid:pk>/card/", views.inbox_card, name="inbox-card"),
    path("inbox/<uuid:pk>/resolve/", views.pending_resolve, name="pending-resolve"),
]
