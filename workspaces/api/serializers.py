"""Serializers of the workspaces API: what it renders, and the shapes its input must have (the
rules themselves run in the services)."""

from __future__ import annotations

from rest_framework import serializers

from workspaces.models import INVITEE_MAX_LENGTH, Invitation, Membership, Workspace
from workspaces.roles import Role

# --- output --------------------------------------------------------------------------------


class WorkspaceSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="user_role", read_only=True, allow_null=True)

    class Meta:
        model = Workspace
        fields = ["id", "name", "role", "created_at"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    user_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "workspace", "user", "user_id", "role", "created_at", "updated_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    """The same fields whether or not an account with that username exists."""

    workspace_name = serializers.CharField(source="workspace.name", read_only=True)
    invited_by = serializers.CharField(
        source="invited_by.username", read_only=True, allow_null=True, default=None
    )
    status = serializers.CharField(source="current_status", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "workspace",
            "workspace_name",
            "invitee",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields


class InvitationAcceptSerializer(serializers.Serializer):
    invitation = InvitationSerializer()
    membership = MembershipSerializer()


# --- input ---------------------------------------------------------------------------------


class WorkspaceInput(serializers.Serializer):
    name = serializers.CharField()


class InvitationCreateInput(serializers.Serializer):
    invitee = serializers.CharField(
        max_length=INVITEE_MAX_LENGTH, help_text="A username or an email address."
    )
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
