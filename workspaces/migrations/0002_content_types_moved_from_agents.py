"""The content types of the moved models follow them to this app, so the admin's log entries and
the permissions (`workspaces.change_membership`, …) keep pointing at the same rows."""

from django.db import migrations

MODELS = ["workspace", "membership", "invitation"]


def relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        current = ContentType.objects.filter(app_label=old, model=model).first()
        if current is None:
            continue  # a new database: post_migrate creates the type under the new label
        # A type already made under the new label (post_migrate of an earlier, partial migrate
        # run) holds only what it made itself; the old one holds the history, so it wins.
        ContentType.objects.filter(app_label=new, model=model).delete()
        current.app_label = new
        current.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    relabel(apps, "agents", "workspaces")


def backwards(apps, schema_editor):
    relabel(apps, "workspaces", "agents")


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
