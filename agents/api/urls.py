"""The graphs and agents REST API (DESIGN.md "REST API"); beyond the table there, agent version
history/restore. Workspaces, members and invitations: `workspaces.api.urls`.

Ids are matched as plain strings so a malformed id reaches the selectors and is a 404 like any
foreign object, rather than a URL-resolver 404 that bypasses the access checks' wording."""

from django.urls import path

from agents.api import agents, documents, graphs

urlpatterns = [
    path("graphs/", graphs.GraphListView.as_view(), name="api-graphs"),
    path("graphs/import/", graphs.GraphImportView.as_view(), name="api-graph-import"),
    path("graphs/<str:graph_id>/", graphs.GraphDetailView.as_view(), name="api-graph"),
    path(
        "graphs/<str:graph_id>/validate/",
        graphs.GraphValidateView.as_view(),
        name="api-graph-validate",
    ),
    path(
        "graphs/<str:graph_id>/export/", graphs.GraphExportView.as_view(), name="api-graph-export"
    ),
    path(
        "graphs/<str:graph_id>/document/",
        documents.GraphDocumentView.as_view(),
        name="api-graph-document",
    ),
    path("agents/", agents.AgentListView.as_view(), name="api-agents"),
    path("agents/<str:agent_id>/", agents.AgentDetailView.as_view(), name="api-agent"),
    path(
        "agents/<str:agent_id>/versions/",
        agents.AgentVersionListView.as_view(),
        name="api-agent-versions",
    ),
    path(
        "agents/<str:agent_id>/versions/<str:number>/restore/",
        agents.AgentVersionRestoreView.as_view(),
        name="api-agent-version-restore",
    ),
]
