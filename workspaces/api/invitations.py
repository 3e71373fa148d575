"""Invitations: a workspace's admins invite and revoke (`/api/workspaces/{id}/invitations/`),
the invitee lists, accepts and declines their own (`/api/invitations/`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from workspaces import selectors, services
from workspaces.api.base import ApiView
from workspaces.api.serializers import (
    InvitationAcceptSerializer,
    InvitationCreateInput,
    InvitationSerializer,
    MembershipSerializer,
)
from workspaces.roles import Role


class WorkspaceInvitationListView(mixins.ListModelMixin, ApiView):
    serializer_class = InvitationSerializer

    def get_queryset(self):
        workspace = selectors.workspace_get_for_user(
            self.request.user, self.kwargs["workspace_id"], Role.ADMIN
        )
        return selectors.invitations_of_workspace(workspace).order_by("-created_at", "id")

    def get(self, request, workspace_id):
        return self.list(request)

    @extend_schema(request=InvitationCreateInput, responses={202: InvitationSerializer})
    def post(self, request, workspace_id):
        """202 with the invitation, the same whether or not the username exists."""
        workspace = selectors.workspace_get_for_user(request.user, workspace_id, Role.ADMIN)
        data = self.validated(InvitationCreateInput)
        invitation = services.invitation_create(
            actor=request.user, workspace=workspace, invitee=data["invitee"], role=data["role"]
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)


class WorkspaceInvitationRevokeView(ApiView):
    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request, workspace_id, invitation_id):
        invitation = selectors.invitation_get_for_admin(request.user, workspace_id, invitation_id)
        services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(InvitationSerializer(invitation).data)


class MyInvitationListView(mixins.ListModelMixin, ApiView):
    serializer_class = InvitationSerializer

    def get_queryset(self):
        return selectors.pending_invitations_for_invitee(self.request.user).order_by(
            "-created_at", "id"
        )

    def get(self, request):
        return self.list(request)


class InvitationAcceptView(ApiView):
    @extend_schema(request=None, responses=InvitationAcceptSerializer)
    def post(self, request, invitation_id):
        invitation = selectors.invitation_get_for_invitee(request.user, invitation_id)
        membership = services.invitation_accept(actor=request.user, invitation=invitation)
        return Response(
            {
                "invitation": InvitationSerializer(invitation).data,
                "membership": MembershipSerializer(membership).data,
            }
        )


class InvitationDeclineView(ApiView):
    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request, invitation_id):
        invitation = selectors.invitation_get_for_invitee(request.user, invitation_id)
        services.invitation_decline(actor=request.user, invitation=invitation)
        return Response(InvitationSerializer(invitation).data)
