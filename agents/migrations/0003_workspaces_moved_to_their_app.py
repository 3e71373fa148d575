"""Workspace, Membership and Invitation now belong to the `workspaces` app (its 0001): the graph's
foreign key points there, and this app forgets the three models. State only: the tables and
their rows stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0002_invitation"),
        ("audit", "0003_workspace_in_workspaces_app"),
        ("workspaces", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="membership",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="workspace",
                ),
                migrations.RemoveField(
                    model_name="workspace",
                    name="created_by",
                ),
                migrations.AlterField(
                    model_name="graph",
                    name="workspace",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="graphs",
                        to="workspaces.workspace",
                    ),
                ),
                migrations.DeleteModel(
                    name="Invitation",
                ),
                migrations.DeleteModel(
                    name="Membership",
                ),
                migrations.DeleteModel(
                    name="Workspace",
                ),
            ],
            database_operations=[],
        ),
    ]
