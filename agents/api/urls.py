"""The agents REST API (DESIGN.md "REST API"). Beyond the table there: workspace detail and
`/members/` for membership management (admin role), `/invitations/` (admins invite, the
invitee accepts or declines), and agent version history/restore.

Ids are matched as plain strings so a malformed id reaches the selectors and is a 404 like any
foreign object, rather than a URL-resolver 404 that bypasses the access checks' wording."""

from django.urls import path

from agents.api import agents, graphs, invitations, workspaces

urlpatterns = [
    path("workspaces/", workspaces.WorkspaceListView.as_view(), name="api-workspaces"),
    path(
        "workspaces/<str:workspace_id>/",
        workspaces.WorkspaceDetailView.as_view(),
        name="api-workspace",
    ),
    path(
        "workspaces/<str:workspace_id>/members/",
        workspaces.MembershipListView.as_view(),
        name="api-memberships",
    ),
    path(
        "workspaces/<str:workspace_id>/members/<str:membership_id>/",
        workspaces.MembershipDetailView.as_view(),
        name="api-membership",
    ),
    path(
        "workspaces/<str:workspace_id>/invitations/",
        invitations.WorkspaceInvitationListView.as_view(),
        name="api-workspace-invitations",
    ),
    path(
        "workspaces/<str:workspace_id>/invitations/<str:invitation_id>/revoke/",
        invitations.WorkspaceInvitationRevokeView.as_view(),
        name="api-workspace-invitation-revoke",
    ),
    path("invitations/", invitations.MyInvitationListView.as_view(), name="api-invitations"),
    path(
        "invitations/<str:invitation_id>/accept/",
        invitations.InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
    path(
        "invitations/<str:invitation_id>/decline/",
        invitations.InvitationDeclineView.as_view(),
        name="api-invitation-decline",
    ),
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
