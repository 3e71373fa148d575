from django.urls import path

from conversations.api import branches, compare, history, mcp, usage, views

urlpatterns = [
    path("conversations/", views.ConversationListCreate.as_view(), name="api-conversations"),
    path("conversations/compare/", compare.ConversationCompare.as_view()),
    path("conversations/<str:pk>/", views.ConversationDetail.as_view(), name="api-conversation"),
    path("conversations/<str:pk>/entries/", views.ConversationEntries.as_view()),
    path("conversations/<str:pk>/events/", views.ConversationEvents.as_view()),
    path("conversations/<str:pk>/history/", history.ConversationHistory.as_view()),
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
    path("agents/<str:pk>/mcp-servers/", mcp.AgentMcpServers.as_view(), name="api-agent-mcp"),
    path("mcp-servers/<str:pk>/", mcp.McpServerDetail.as_view(), name="api-mcp-server"),
    path("mcp-servers/<str:pk>/refresh/", mcp.McpServerRefresh.as_view()),
    path("agents/<str:pk>/tool-policy/", mcp.AgentToolPolicy.as_view(), name="api-tool-policy"),
]
