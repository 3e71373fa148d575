"""`/v1/files`: the files built-in tools produced: metadata, content (octet-stream), url, list,
delete."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sandbox import wire
from sandbox.errors import ApiError
from sandbox.models import SandboxFile
from sandbox.views.common import api_view, db, query_int


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
        "purpose": "code_interpreter",
        "sample_type": "instruct",
        "source": "mistral",
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


async def url(request: HttpRequest, file_id: str) -> HttpResponse:
    await db(_retrieve)(file_id)
    path = reverse("sandbox:file-content", kwargs={"file_id": file_id})
    return wire.json_response({"url": request.build_absolute_uri(path)})


async def listing(request: HttpRequest) -> HttpResponse:
    page, size = query_int(request, "page", 0), query_int(request, "page_size", 100) or 100
    return wire.json_response(await db(_list)(page, size))


files = api_view({"GET": listing})
file = api_view({"GET": retrieve, "DELETE": delete})
file_content = api_view({"GET": content})
file_url = api_view({"GET": url})
