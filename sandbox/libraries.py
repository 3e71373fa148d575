"""Document libraries and their documents (`/v1/libraries`), and what a `document_library` tool
finds in them: the document whose text shares the most words with the request."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sandbox import wire
from sandbox.errors import ApiError
from sandbox.models import SandboxDocument, SandboxLibrary
from sandbox.text import stems

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-yaml")


def library(library_id: str) -> SandboxLibrary:
    found = SandboxLibrary.objects.filter(pk=library_id).first()
    if found is None:
        raise ApiError(wire.not_found("Library", library_id))
    return found


def document(library_id: str, document_id: str) -> SandboxDocument:
    found = SandboxDocument.objects.filter(pk=document_id, library_id=library_id).first()
    if found is None:
        raise ApiError(wire.not_found("Document", document_id))
    return found


def render_library(lib: SandboxLibrary) -> dict[str, Any]:
    contents = [bytes(c) for c in lib.documents.values_list("content", flat=True)]
    count, size = len(contents), sum(len(c) for c in contents)
    return {
        "id": lib.id, "name": lib.name, "description": lib.description,
        "created_at": wire.iso(lib.created_at), "updated_at": wire.iso(lib.updated_at),
        "owner_id": None, "owner_type": "Workspace", "total_size": size, "nb_documents": count,
        "chunk_size": lib.chunk_size, "emoji": None, "generated_description": None,
        "generated_name": None,
    }  # fmt: skip


def render_document(doc: SandboxDocument) -> dict[str, Any]:
    content = bytes(doc.content)
    extension = doc.name.rsplit(".", 1)[-1].lower() if "." in doc.name else None
    return {
        "id": doc.id, "library_id": doc.library_id, "hash": hashlib.sha256(content).hexdigest(),
        "mime_type": doc.mime_type, "extension": extension, "size": len(content),
        "name": doc.name, "created_at": wire.iso(doc.created_at), "process_status": "done",
        "uploaded_by_id": None, "uploaded_by_type": "Workspace", "processing_status": "Completed",
        "tokens_processing_total": len(doc.text.split()), "summary": doc.text[:200] or None,
        "number_of_pages": 1,
    }  # fmt: skip


def extract_text(content: bytes, mime_type: str) -> str:
    if mime_type.startswith(TEXT_TYPES) or not mime_type:
        return content.decode("utf-8", errors="replace")
    printable = content.decode("latin-1", errors="replace")
    return " ".join(w for w in printable.split() if w.isprintable() and len(w) < 40)[:100_000]


def create_library(body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(wire.validation_error(["body", "name"], "Field required", "missing"))
    stamp = wire.now()
    lib = SandboxLibrary.objects.create(
        id=str(uuid.uuid4()), name=name[:200], description=body.get("description"),
        chunk_size=body.get("chunk_size") if isinstance(body.get("chunk_size"), int) else None,
        created_at=stamp, updated_at=stamp,
    )  # fmt: skip
    return render_library(lib)


def update_library(library_id: str, body: dict[str, Any]) -> dict[str, Any]:
    lib = library(library_id)
    if isinstance(body.get("name"), str) and body["name"].strip():
        lib.name = body["name"][:200]
    if "description" in body:
        lib.description = body["description"]
    lib.updated_at = wire.now()
    lib.save()
    return render_library(lib)


def delete_library(library_id: str) -> dict[str, Any]:
    lib = library(library_id)
    rendered = render_library(lib)
    lib.delete()
    return rendered


def list_libraries() -> dict[str, Any]:
    return {"data": [render_library(lib) for lib in SandboxLibrary.objects.all()]}


def add_document(library_id: str, name: str, content: bytes, mime_type: str) -> dict[str, Any]:
    lib = library(library_id)
    doc = SandboxDocument.objects.create(
        id=str(uuid.uuid4()), library=lib, name=name[:255], mime_type=mime_type[:100],
        content=content, text=extract_text(content, mime_type), created_at=wire.now(),
    )  # fmt: skip
    SandboxLibrary.objects.filter(pk=lib.pk).update(updated_at=wire.now())
    return render_document(doc)


def list_documents(library_id: str, page: int, size: int, search: str) -> dict[str, Any]:
    rows = library(library_id).documents.all()
    if search:
        rows = rows.filter(name__icontains=search)
    total = rows.count()
    data = [render_document(d) for d in rows[page * size : (page + 1) * size]]
    pages = max(1, -(-total // size))
    return {
        "pagination": {"total_items": total, "total_pages": pages, "current_page": page,
                       "page_size": size, "has_more": (page + 1) * size < total},
        "data": data,
    }  # fmt: skip


def search(library_ids: list[str], request: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(ids of libraries that do not exist, [(library name, document name, snippet)] best first)."""
    known = {lib.id: lib for lib in SandboxLibrary.objects.filter(pk__in=library_ids)}
    missing = [i for i in library_ids if i not in known]
    wanted = stems(request)
    scored = []
    for doc in SandboxDocument.objects.filter(library_id__in=list(known)).select_related("library"):
        overlap = len(wanted & stems(doc.text + " " + doc.name))
        if overlap:
            scored.append((overlap, doc))
    scored.sort(key=lambda s: -s[0])
    found = [(d.library.name, d.name, " ".join(d.text.split())[:240]) for _, d in scored[:3]]
    return missing, found


def library_chunks(
    missing: list[str], found: list[tuple[str, str, str]], query: str
) -> list[dict[str, Any]]:
    """A document_library run's message: the best-matching documents, or what is missing."""
    chunks: list[dict[str, Any]] = []
    if missing:
        chunks.append({"type": "text", "text": "Sandbox document library: no library "
                       + ", ".join(missing) + " exists. "})  # fmt: skip
    if not found:
        chunks.append({"type": "text", "text": "Sandbox document library: no document "
                       f"matches \u201c{query[:80]}\u201d."})  # fmt: skip
    for library_name, document_name, snippet in found:
        chunks += [
            {"type": "text", "text": f"From {document_name} ({library_name}): {snippet} "},
            {"type": "tool_reference", "tool": "document_library", "title": document_name,
             "description": f"Document of the sandbox library {library_name}."},
        ]  # fmt: skip
    return chunks
