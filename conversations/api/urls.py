from django.urls import path

from conversations.api import branches, compare, usage, views

urlpatterns = [
    path("conversations/", views.ConversationListCreate.as_view(), name="api-conversations"),
    path("conversations/compare/", compare.ConversationCompare.as_view()),
    path("conversations/<str:pk>/", views.ConversationDetail.as_view(), name="api-conversation"),
    path("conversations/<str:pk>/entries/", views.ConversationEntries.as_view()),
    path("conversations/<str:pk>/events/", views.ConversationEvents.as_view()),
    path("conversations/<str:pk>/messages/", views.ConversationMessages.as_view()),
    path("conversations/<str:pk>/cancel/", views.ConversationCancel.as_view()),
    path("conversations/<str:pk>/branch/", branches.ConversationBranch.as_view()),
    path("conversations/<str:pk>/tree/", branches.ConversationTree.as_view()),
    path("conversations/<str:pk>/budget/", usage.ConversationBudget.as_view()),
    path("usage/", usage.Usage.as_view(), name="api-usage"),
    path("usage/prices/", usage.Prices.as_view()),
    path("usage/budget/", usage.WorkspaceBudget.as_view()),
    path("pending/", views.PendingList.as_view(), name="api-pending"),
    path("pending/<str:pk>/resolve/", views.PendingResolve.as_view()),
    path("files/<str:pk>/", views.FileDetail.as_view()),
    path("files/<str:pk>/download/", views.FileDownload.as_view(), name="file-download"),
    path("graphs/<str:pk>/sync/", views.GraphSync.as_view()),
]
