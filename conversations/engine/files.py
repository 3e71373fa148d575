"""Files a tool made (`tool_file` chunks): downloaded from the backend, outside any
transaction, and stored by the files service."""

from __future__ import annotations

from conversations.engine.recorder import TurnRecorder
from conversations.models import GeneratedFile
from conversations.services.files import generated_file_save
from integrations.mistral import backend


def download_files(recorder: TurnRecorder) -> None:
    conversation = recorder.conversation
    for chunk, entry_key in recorder.files:
        file_id = chunk.get("file_id")
        if (
            not file_id
            or GeneratedFile.objects.filter(conversation=conversation, remote_id=file_id).exists()
        ):
            continue  # none, or already stored (a recovered turn replays its chunks)
        content, meta = backend.file_download(file_id)
        name = chunk.get("file_name") or meta.get("filename") or file_id
        file_type = chunk.get("file_type") or ""
        if file_type and not name.endswith(f".{file_type}"):
            name = f"{name}.{file_type}"
        mime = meta.get("mimetype") or (
            "image/png" if file_type == "png" else "application/octet-stream"
        )
        generated_file_save(
            conversation=conversation,
            entry=recorder.entries.get(entry_key),
            remote_id=file_id,
            name=name,
            mime=mime,
            content=content,
        )
