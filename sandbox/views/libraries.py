"""`/v1/libraries` and their documents: create, list, get, update, delete; document upload
(multipart), text content, status and a signed URL (the same signatures as files')."""

from __future__ import annotations

import mimetypes
import time

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sandbox import libraries, wire
from sandbox.errors import ApiError
from sandbox.views.common import api_view, db, json_body, query_int
from sandbox.views.files import MAX_UPLOAD_BYTES, signature


async def _list(request: HttpRequest) -> HttpResponse:
    return wire.json_response(await db(libraries.list_libraries)())


async def _create(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    return wire.json_response(await db(libraries.create_library)(body), status=201)


async def _get(request: HttpRequest, library_id: str) -> HttpResponse:
    lib = await db(lambda: libraries.render_library(libraries.library(library_id)))()
    return wire.json_response(lib)


async def _update(request: HttpRequest, library_id: str) -> HttpResponse:
    body = json_body(request)
    return wire.json_response(await db(libraries.update_library)(library_id, body))


async def _delete(request: HttpRequest, library_id: str) -> HttpResponse:
    return wire.json_response(await db(libraries.delete_library)(library_id))


async def _documents(request: HttpRequest, library_id: str) -> HttpResponse:
    page = query_int(request, "page", 0)
    size = min(query_int(request, "page_size", 100) or 100, 1000)
    search = request.GET.get("search") or ""
    return wire.json_response(await db(libraries.list_documents)(library_id, page, size, search))


async def _upload(request: HttpRequest, library_id: str) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(wire.validation_error(["body", "file"], "Field required", "missing"))
    if upload.size > MAX_UPLOAD_BYTES:
        raise ApiError(wire.validation_error(["body", "file"], "The file is too large"))
    name = (upload.name or "document").replace("/", "_")
    mime = upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    doc = await db(libraries.add_document)(library_id, name, upload.read(), mime)
    return wire.json_response(doc, status=201)


async def _document(request: HttpRequest, library_id: str, document_id: str) -> HttpResponse:
    doc = await db(lambda: libraries.render_document(libraries.document(library_id, document_id)))()
    return wire.json_response(doc)


def _rename(library_id: str, document_id: str, body: dict) -> dict:
    doc = libraries.document(library_id, document_id)
    if isinstance(body.get("name"), str) and body["name"].strip():
        doc.name = body["name"][:255]
        doc.save(update_fields=["name"])
    return libraries.render_document(doc)


async def _document_update(request: HttpRequest, library_id: str, document_id: str):
    body = json_body(request)
    return wire.json_response(await db(_rename)(library_id, document_id, body))


async def _document_delete(request: HttpRequest, library_id: str, document_id: str):
    await db(lambda: libraries.document(library_id, document_id).delete())()
    return HttpResponse(status=204)


async def _text(request: HttpRequest, library_id: str, document_id: str) -> HttpResponse:
    doc = await db(libraries.document)(library_id, document_id)
    return wire.json_response({"text": doc.text})


async def _status(request: HttpRequest, library_id: str, document_id: str) -> HttpResponse:
    await db(libraries.document)(library_id, document_id)
    return wire.json_response(
        {"document_id": document_id, "process_status": "done", "processing_status": "Completed"}
    )


async def _signed(request: HttpRequest, library_id: str, document_id: str) -> HttpResponse:
    await db(libraries.document)(library_id, document_id)
    expires = int(time.time()) + 24 * 3600
    path = reverse("sandbox:document-signed", kwargs={"document_id": document_id})
    query = f"?expires={expires}&signature={signature(document_id, expires)}"
    return wire.json_response(request.build_absolute_uri(path) + query)


libraries_view = api_view({"GET": _list, "POST": _create})
library_view = api_view({"GET": _get, "PATCH": _update, "DELETE": _delete})
documents_view = api_view({"GET": _documents, "POST": _upload})
document_view = api_view(
    {"GET": _document, "PATCH": _document_update, "PUT": _document_update,
     "DELETE": _document_delete}
)  # fmt: skip
document_text = api_view({"GET": _text})
document_status = api_view({"GET": _status})
document_signed_url = api_view({"GET": _signed})
