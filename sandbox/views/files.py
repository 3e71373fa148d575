"""`/v1/files`: uploads (multipart) and the files built-in tools produced: metadata, content
(octet-stream), signed URLs that work without the key, list, delete."""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from sandbox import conf, wire
from sandbox.errors import ApiError
from sandbox.models import SandboxFile
from sandbox.views.common import api_view, db, query_int

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_EXPIRY_HOURS = 24 * 30


def _file(file_id: str) -> SandboxFile:
    found = SandboxFile.objects.filter(pk=file_id).first()
    if found is None:
        raise ApiError(wire.not_found("File", file_id))
    return found


def render(file: SandboxFile, size: int | None = None) -> dict[str, Any]:
    return {
        "id": file.id,
        "object": "file",
        "bytes": size if size is not None else len(bytes(file.content)),
        "created_at": int(file.created_at.timestamp()),
        "filename": file.filename,
        "purpose": file.purpose,
        "sample_type": "instruct",
        "source": file.source,
        "deleted": False,
        "mimetype": file.mimetype,
        "num_lines": None,
        "signature": None,
        "expires_at": None,
        "visibility": None,
    }


def _retrieve(file_id: str) -> dict[str, Any]:
    return render(_file(file_id))


def _content(file_id: str) -> bytes:
    return bytes(_file(file_id).content)


def _list(page: int, size: int) -> dict[str, Any]:
    rows = list(SandboxFile.objects.all()[page * size : (page + 1) * size])
    return {
        "object": "list",
        "data": [render(f) for f in rows],
        "total": SandboxFile.objects.count(),
    }


def _delete(file_id: str) -> dict[str, Any]:
    _file(file_id).delete()
    return {"id": file_id, "object": "file", "deleted": True}


async def retrieve(request: HttpRequest, file_id: str) -> HttpResponse:
    return wire.json_response(await db(_retrieve)(file_id))


async def delete(request: HttpRequest, file_id: str) -> HttpResponse:
    # Unlike the other deletes, the files API answers 200 with a body.
    return wire.json_response(await db(_delete)(file_id))


async def content(request: HttpRequest, file_id: str) -> HttpResponse:
    data = await db(_content)(file_id)
    return HttpResponse(data, content_type="application/octet-stream")


def signature(file_id: str, expires: int) -> str:
    """HMAC of the file and its expiry under the install's key: the link proves itself."""
    key = conf.api_key().encode() or b"\0"
    return hmac.new(key, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()


async def url(request: HttpRequest, file_id: str) -> HttpResponse:
    await db(_retrieve)(file_id)
    hours = query_int(request, "expiry", 24) or 24
    if hours > MAX_EXPIRY_HOURS:
        raise ApiError(wire.validation_error(["query", "expiry"], f"At most {MAX_EXPIRY_HOURS}"))
    expires = int(time.time()) + hours * 3600
    path = reverse("sandbox:file-signed", kwargs={"file_id": file_id})
    query = f"?expires={expires}&signature={signature(file_id, expires)}"
    return wire.json_response({"url": request.build_absolute_uri(path) + query})


@csrf_exempt
async def signed_content(request: HttpRequest, file_id: str) -> HttpResponse:
    """A signed URL's download: no key needed, only a valid, unexpired signature."""
    if request.method not in ("GET", "HEAD"):
        return wire.json_response({"detail": "Method Not Allowed"}, 405)
    try:
        expires = int(request.GET.get("expires", ""))
    except ValueError:
        return wire.error(403, "This link is not signed.", type_="forbidden")
    given = request.GET.get("signature", "")
    if not hmac.compare_digest(given.encode(), signature(file_id, expires).encode()):
        return wire.error(403, "This link's signature is not valid.", type_="forbidden")
    if expires < time.time():
        return wire.error(403, "This link has expired.", type_="forbidden")
    try:
        file = await db(_file)(file_id)
    except ApiError as exc:
        return exc.response
    response = HttpResponse(bytes(file.content), content_type=file.mimetype)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _store_upload(name: str, content: bytes, purpose: str, mimetype: str) -> dict[str, Any]:
    file = SandboxFile.objects.create(
        id=wire.new_file_id(), filename=name[:255], mimetype=mimetype[:100], content=content,
        purpose=purpose[:40], source="upload", created_at=wire.now(),
    )  # fmt: skip
    return render(file)


async def upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(wire.validation_error(["body", "file"], "Field required", "missing"))
    if upload.size > MAX_UPLOAD_BYTES:
        message = f"A file may have at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
        raise ApiError(wire.validation_error(["body", "file"], message))
    purpose = request.POST.get("purpose") or "ocr"
    name = (upload.name or "upload").replace("/", "_").replace("\\", "_")
    mimetype = upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return wire.json_response(await db(_store_upload)(name, upload.read(), purpose, mimetype))


async def listing(request: HttpRequest) -> HttpResponse:
    page, size = query_int(request, "page", 0), query_int(request, "page_size", 100) or 100
    return wire.json_response(await db(_list)(page, size))


files = api_view({"GET": listing, "POST": upload})
file = api_view({"GET": retrieve, "DELETE": delete})
file_content = api_view({"GET": content})
file_url = api_view({"GET": url})


@csrf_exempt
async def signed_document(request: HttpRequest, document_id: str) -> HttpResponse:
    """A library document's signed URL: no key, only a valid, unexpired signature."""
    try:
        expires = int(request.GET.get("expires", ""))
    except ValueError:
        return wire.error(403, "This link is not signed.", type_="forbidden")
    valid = hmac.compare_digest(
        request.GET.get("signature", "").encode(), signature(document_id, expires).encode()
    )
    if not valid or expires < time.time():
        return wire.error(403, "This link is not valid (any more).", type_="forbidden")
    from sandbox.models import SandboxDocument

    doc = await db(lambda: SandboxDocument.objects.filter(pk=document_id).first())()
    if doc is None:
        return wire.not_found("Document", document_id)
    response = HttpResponse(bytes(doc.content), content_type=doc.mime_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
