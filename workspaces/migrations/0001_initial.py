"""Workspace, Membership and Invitation moved here from `agents`; their tables stay where they
are (`db_table`), created by agents 0001/0002, so this only takes them into this app's state."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import workspaces.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agents", "0002_invitation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Workspace",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("name", models.CharField(max_length=128)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agents_workspace",
                        "ordering": ["name", "created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("viewer", "Viewer"),
                                    ("operator", "Operator"),
                                    ("editor", "Editor"),
                                    ("admin", "Admin"),
                                ],
                                default="viewer",
                                max_length=16,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="workspaces.workspace",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agents_membership",
                        "ordering": ["workspace", "user__username"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("workspace", "user"), name="membership_unique_user"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("role__in", ["viewer", "operator", "editor", "admin"])
                                ),
                                name="membership_role_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("invitee", models.CharField(max_length=254)),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("viewer", "Viewer"),
                                    ("operator", "Operator"),
                                    ("editor", "Editor"),
                                    ("admin", "Admin"),
                                ],
                                default="viewer",
                                max_length=16,
                            ),
                        ),
                        (
                            "token",
                            models.CharField(
                                default=workspaces.models.invitation_token,
                                editable=False,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("accepted", "Accepted"),
                                    ("declined", "Declined"),
                                    ("revoked", "Revoked"),
                                    ("expired", "Expired"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("responded_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "expires_at",
                            models.DateTimeField(default=workspaces.models.invitation_expiry),
                        ),
                        (
                            "invited_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "responded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="workspaces.workspace",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "agents_invitation",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(
                                fields=["invitee", "status"], name="invitation_invitee_status"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "pending")),
                                fields=("workspace", "invitee"),
                                name="invitation_one_pending_per_invitee",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("role__in", ["viewer", "operator", "editor", "admin"])
                                ),
                                name="invitation_role_valid",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
