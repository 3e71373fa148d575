"""The remote agent's content type follows the model to this app (admin log, permissions)."""

from django.db import migrations


def relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    current = ContentType.objects.filter(app_label=old, model="remoteagent").first()
    if current is None:
        return  # a new database: post_migrate creates the type under the new label
    # One made under the new label by an earlier, partial migrate run holds only what it made.
    ContentType.objects.filter(app_label=new, model="remoteagent").delete()
    current.app_label = new
    current.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    relabel(apps, "conversations", "mistral")


def backwards(apps, schema_editor):
    relabel(apps, "mistral", "conversations")


class Migration(migrations.Migration):
    dependencies = [
        ("mistral", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
