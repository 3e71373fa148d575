"""`/v1/agents`: create, list, pages, get, update (new version), delete, versions, aliases."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from sandbox import agents_store as store
from sandbox import wire
from sandbox.errors import ApiError
from sandbox.models import SandboxAgent, SandboxAgentAlias
from sandbox.views.common import api_view, db, json_body, query_int, query_metadata


def _not_found(agent_id: str) -> ApiError:
    return ApiError(wire.not_found("Agent", agent_id))


def _filtered(request: HttpRequest) -> list[SandboxAgent]:
    """Agents matching the list filters, newest first. Filters apply to the active version."""
    agents = list(SandboxAgent.objects.all())
    name = request.GET.get("name")
    search = (request.GET.get("search") or "").lower()
    ids = set(request.GET.getlist("id"))
    sources = set(request.GET.getlist("sources"))
    metadata = query_metadata(request)
    out = []
    for agent in agents:
        data = store.render(agent)
        if name and data["name"] != name:
            continue
        if search and search not in f"{data['name']} {data['description'] or ''}".lower():
            continue
        if ids and agent.id not in ids:
            continue
        if sources and "api" not in sources:
            continue
        if metadata and any((data["metadata"] or {}).get(k) != v for k, v in metadata.items()):
            continue
        out.append(agent)
    return out


def _create(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    for required in ("model", "name"):
        if not isinstance(body.get(required), str) or not body[required]:
            raise ApiError(wire.validation_error(["body", required], "Field required", "missing"))
    return wire.json_response(store.create_agent(body))


def _list(request: HttpRequest) -> HttpResponse:
    page, size = query_int(request, "page", 0), query_int(request, "page_size", 20) or 20
    agents = _filtered(request)[page * size : (page + 1) * size]
    return wire.json_response([store.render(a) for a in agents])


def _pages(request: HttpRequest) -> HttpResponse:
    size = query_int(request, "page_size", 20) or 20
    token = request.GET.get("page_token") or ""
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except ValueError as exc:
        raise ApiError(
            wire.validation_error(["query", "page_token"], "Invalid page token")
        ) from exc
    agents = _filtered(request)
    chunk = agents[offset : offset + size]
    more = offset + size < len(agents)
    following = base64.urlsafe_b64encode(str(offset + size).encode()).decode() if more else None
    body = {
        "object": "list",
        "data": [store.render(a) for a in chunk],
        "next_page_token": following,
    }
    return wire.json_response(body)


def _get(request: HttpRequest, agent_id: str) -> HttpResponse:
    try:
        agent = store.get_agent(agent_id)
        version = store.resolve_version(agent, request.GET.get("agent_version"))
    except store.AgentNotFound as exc:
        raise _not_found(agent_id) from exc
    return wire.json_response(store.render(agent, version))


def _update(request: HttpRequest, agent_id: str) -> HttpResponse:
    body = json_body(request)
    try:
        return wire.json_response(store.update_agent(agent_id, body))
    except store.AgentNotFound as exc:
        raise _not_found(agent_id) from exc


def _delete(request: HttpRequest, agent_id: str) -> HttpResponse:
    deleted, _ = SandboxAgent.objects.filter(pk=agent_id).delete()
    if not deleted:
        raise _not_found(agent_id)
    return HttpResponse(status=204)


def _switch_version(request: HttpRequest, agent_id: str) -> HttpResponse:
    raw: Any = request.GET.get("version")
    if raw is None:  # the docs' curl sends it in the body
        raw = json_body(request).get("version")
    if raw is None or not str(raw).isdigit():
        raise ApiError(wire.validation_error(["query", "version"], "Field required", "missing"))
    try:
        return wire.json_response(store.switch_version(agent_id, int(raw)))
    except store.AgentNotFound as exc:
        raise _not_found(agent_id) from exc


def _versions(request: HttpRequest, agent_id: str) -> HttpResponse:
    try:
        agent = store.get_agent(agent_id)
    except store.AgentNotFound as exc:
        raise _not_found(agent_id) from exc
    page, size = query_int(request, "page", 0), query_int(request, "page_size", 20) or 20
    versions = list(agent.versions.order_by("version"))[page * size : (page + 1) * size]
    return wire.json_response([store.render(agent, v) for v in versions])


def _version(request: HttpRequest, agent_id: str, version: str) -> HttpResponse:
    try:
        agent = store.get_agent(agent_id)
        found = store.resolve_version(agent, version)
    except store.AgentNotFound as exc:
        raise ApiError(wire.not_found("Agent version", f"{agent_id}/{version}")) from exc
    return wire.json_response(store.render(agent, found))


def _aliases_get(request: HttpRequest, agent_id: str) -> HttpResponse:
    try:
        agent = store.get_agent(agent_id)
    except store.AgentNotFound as exc:
        raise _not_found(agent_id) from exc
    return wire.json_response([store.render_alias(a) for a in agent.aliases.all()])


def _aliases_put(request: HttpRequest, agent_id: str) -> HttpResponse:
    alias, version = request.GET.get("alias"), request.GET.get("version")
    if not alias:
        raise ApiError(wire.validation_error(["query", "alias"], "Field required", "missing"))
    if version is None or not version.isdigit():
        raise ApiError(wire.validation_error(["query", "version"], "Field required", "missing"))
    try:
        return wire.json_response(store.set_alias(agent_id, alias, int(version)))
    except store.AgentNotFound as exc:
        raise _not_found(agent_id) from exc


def _aliases_delete(request: HttpRequest, agent_id: str) -> HttpResponse:
    alias = request.GET.get("alias")
    if not alias:
        raise ApiError(wire.validation_error(["query", "alias"], "Field required", "missing"))
    deleted, _ = SandboxAgentAlias.objects.filter(Q(agent_id=agent_id), Q(alias=alias)).delete()
    if not deleted:
        raise ApiError(wire.not_found("Alias", f"{agent_id}:{alias}"))
    return HttpResponse(status=204)


def _async(fn: Callable[..., HttpResponse]) -> Callable[..., Awaitable[HttpResponse]]:
    """A sync view body, run off the event loop (it only does database work)."""

    async def handler(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return await db(fn)(request, **kwargs)

    return handler


agents = api_view({"POST": _async(_create), "GET": _async(_list)})
agent_pages = api_view({"GET": _async(_pages)})
agent = api_view({"GET": _async(_get), "PATCH": _async(_update), "DELETE": _async(_delete)})
agent_version_switch = api_view({"PATCH": _async(_switch_version)})
agent_versions = api_view({"GET": _async(_versions)})
agent_version = api_view({"GET": _async(_version)})
agent_aliases = api_view(
    {"GET": _async(_aliases_get), "PUT": _async(_aliases_put), "DELETE": _async(_aliases_delete)}
)
