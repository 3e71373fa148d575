"""/api/workspaces/ and their members. New members come through invitations
(`workspaces.api.invitations`); here admins change roles and remove members."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from workspaces import selectors, services
from workspaces.api.base import ApiView
from workspaces.api.serializers import (
    MembershipSerializer,
    MembershipUpdateInput,
    WorkspaceInput,
    WorkspaceSerializer,
)
from workspaces.roles import Role


class WorkspaceListView(mixins.ListModelMixin, ApiView):
    serializer_class = WorkspaceSerializer

    def get_queryset(self):
        return selectors.workspaces_for_user(self.request.user).order_by("name", "id")

    def get(self, request):
        return self.list(request)

    @extend_schema(request=WorkspaceInput, responses={201: WorkspaceSerializer})
    def post(self, request):
        data = self.validated(WorkspaceInput)
        workspace = services.workspace_create(actor=request.user, name=data["name"])
        workspace = selectors.workspace_get_for_user(request.user, workspace.pk)
        return Response(WorkspaceSerializer(workspace).data, status=status.HTTP_201_CREATED)


class WorkspaceDetailView(ApiView):
    serializer_class = WorkspaceSerializer

    def get(self, request, workspace_id):
        workspace = selectors.workspace_get_for_user(request.user, workspace_id)
        return Response(WorkspaceSerializer(workspace).data)

    @extend_schema(request=WorkspaceInput, responses=WorkspaceSerializer)
    def patch(self, request, workspace_id):
        workspace = selectors.workspace_get_for_user(request.user, workspace_id, Role.ADMIN)
        data = self.validated(WorkspaceInput)
        services.workspace_update(actor=request.user, workspace=workspace, name=data["name"])
        return Response(WorkspaceSerializer(workspace).data)

    def delete(self, request, workspace_id):
        workspace = selectors.workspace_get_for_user(request.user, workspace_id, Role.ADMIN)
        services.workspace_delete(actor=request.user, workspace=workspace)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipListView(mixins.ListModelMixin, ApiView):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        workspace = selectors.workspace_get_for_user(self.request.user, self.kwargs["workspace_id"])
        return selectors.memberships_for_workspace(workspace)

    def get(self, request, workspace_id):
        return self.list(request)


class MembershipDetailView(ApiView):
    serializer_class = MembershipSerializer

    def get(self, request, workspace_id, membership_id):
        membership = selectors.membership_get_for_user(request.user, workspace_id, membership_id)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=MembershipUpdateInput, responses=MembershipSerializer)
    def patch(self, request, workspace_id, membership_id):
        membership = selectors.membership_get_for_user(
            request.user, workspace_id, membership_id, Role.ADMIN
        )
        data = self.validated(MembershipUpdateInput)
        services.membership_change(actor=request.user, membership=membership, role=data["role"])
        return Response(MembershipSerializer(membership).data)

    def delete(self, request, workspace_id, membership_id):
        membership = selectors.membership_get_for_user(
            request.user, workspace_id, membership_id, Role.ADMIN
        )
        services.membership_remove(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
