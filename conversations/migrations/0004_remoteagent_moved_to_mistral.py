"""RemoteAgent now belongs to `integrations.mistral` (its 0001). State only: the table and its
rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_remoteagent_remote_fingerprint"),
        ("mistral", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="RemoteAgent",
                ),
            ],
            database_operations=[],
        ),
    ]
