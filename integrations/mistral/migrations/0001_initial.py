"""RemoteAgent moved here from `conversations`; its table stays where it is (`db_table`),
created by conversations 0001/0003, so this only takes the model into this app's state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("conversations", "0003_remoteagent_remote_fingerprint"),
        ("agents", "0003_workspaces_moved_to_their_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RemoteAgent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("backend", models.CharField(max_length=255)),
                        ("remote_id", models.CharField(max_length=128)),
                        ("remote_version", models.PositiveIntegerField(default=0)),
                        (
                            "remote_fingerprint",
                            models.CharField(blank=True, default="", max_length=64),
                        ),
                        ("config_hash", models.CharField(max_length=64)),
                        ("handoffs_hash", models.CharField(blank=True, default="", max_length=64)),
                        ("synced_at", models.DateTimeField(auto_now=True)),
                        (
                            "agent",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="remotes",
                                to="agents.agent",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "conversations_remoteagent",
                        "indexes": [
                            models.Index(
                                fields=["backend", "remote_id"],
                                name="conversatio_backend_8e40ce_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("agent", "backend"), name="remote_agent_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
