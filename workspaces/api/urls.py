"""The workspaces REST API: workspace detail and `/members/` for membership management (admin
role), `/invitations/` (admins invite, the invitee accepts or declines), and `/tokens/` (the
signed-in user's own API token).

Ids are matched as plain strings so a malformed id reaches the selectors and is a 404 like any
foreign object, rather than a URL-resolver 404 that bypasses the access checks' wording."""

from django.urls import path

from workspaces.api import invitations, tokens, workspaces

urlpatterns = [
    path("tokens/", tokens.TokenView.as_view(), name="api-tokens"),
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
]
