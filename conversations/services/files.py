"""Generated files: the worker stores what a tool made; people download it, audited."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from audit.models import Action
from audit.services import audit_record
from conversations.eventlog import append_events
from conversations.events import EventType, FileReadyData
from conversations.models import Conversation, Entry, GeneratedFile


def generated_file_save(
    *,
    conversation: Conversation,
    entry: Entry | None,
    remote_id: str,
    name: str,
    mime: str,
    content: bytes,
) -> GeneratedFile:
    """Store a downloaded tool file with the message that showed it, and log `file.ready`."""
    with transaction.atomic():
        generated = GeneratedFile(
            conversation=conversation,
            entry=entry if entry is not None and entry.pk else None,
            agent=entry.agent if entry is not None else None,
            remote_id=remote_id,
            name=name[:255],
            type=mime,
            size=len(content),
        )
        generated.file.save(name[:100], ContentFile(content), save=False)
        generated.save()
        data: FileReadyData = {
            "id": str(generated.pk),
            "name": generated.name,
            "type": generated.type,
            "size": generated.size,
            "url": reverse("file-download", args=[generated.pk]),
            "entry": str(entry.pk) if entry is not None else None,
        }
        append_events(conversation.pk, [(EventType.FILE_READY, data)])
    return generated


def file_download(*, actor, generated: GeneratedFile, inline: bool = False):
    """Open a generated file for a person who may read it, recording that they did."""
    handle = generated.file.open("rb")
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=Action.FILE_DOWNLOAD,
                obj=generated,
                object_type="file",
                workspace=generated.conversation.graph.workspace,
                after={
                    "name": generated.name,
                    "type": generated.type,
                    "size": generated.size,
                    "conversation": str(generated.conversation_id),
                    "inline": inline,
                },
            )
    except BaseException:
        handle.close()
        raise
    return handle
