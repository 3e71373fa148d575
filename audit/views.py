"""The in-app audit page of a workspace (admins only) and its streamed CSV / JSON-lines exports.

Access follows workspaces.selectors: outsiders get 404, members below the admin role get 403.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.diff import change_summary, diff_rows
from audit.forms import AuditFilterForm
from audit.selectors import audit_actors, audit_for_workspace, audit_object_types
from workspaces.roles import Role
from workspaces.selectors import workspace_get_for_user, workspaces_for_user

PAGE_SIZE = 50
EXPORT_CHUNK = 2_000
EXPORT_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "object_repr",
    "workspace_id",
    "workspace_name",
    "before",
    "after",
    "error",
    "ip",
    "user_agent",
    "request",
]


def _filtered(request, workspace) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_for_workspace(workspace, filters)


@require_GET
def audit_index(request):
    """The nav's "Audit" link: straight to the page when the user administers one workspace."""
    workspaces = list(
        workspaces_for_user(request.user).filter(user_role=Role.ADMIN).order_by("name", "pk")
    )
    if len(workspaces) == 1:
        return redirect("audit-page", workspace_id=workspaces[0].pk)
    return render(request, "audit/index.html", {"workspaces": workspaces})


@require_GET
def audit_page(request, workspace_id):
    workspace = workspace_get_for_user(request.user, workspace_id, Role.ADMIN)
    form, rows = _filtered(request, workspace)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.diff = diff_rows(entry.before, entry.after)
        entry.change_summary = change_summary(entry.diff)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "workspace": workspace,
        "form": form,
        "page": page,
        "entries": page.object_list,
        "query": query.urlencode(),
        "actors": audit_actors(workspace),
        "object_types": audit_object_types(workspace),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "audit/page.html", context, status=status)


class _Echo:
    """csv.writer needs a file; this one hands each written line straight back."""

    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    else:
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # A spreadsheet must not run a cell someone typed as a formula (CSV injection).
    return "'" + value if value.startswith(_FORMULA_START) else value


def _rows(queryset) -> Iterator[dict[str, Any]]:
    # values() + iterator(): plain dicts fetched chunk by chunk (a server-side cursor on
    # PostgreSQL), so an export never holds the whole table in memory.
    return queryset.values(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for row in rows:
        yield writer.writerow([_cell(row[f]) for f in EXPORT_FIELDS])


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"


def _export(request, workspace_id, kind: str):
    workspace = workspace_get_for_user(request.user, workspace_id, Role.ADMIN)
    form, rows = _filtered(request, workspace)
    if form.is_bound and not form.is_valid():
        return HttpResponse(json.dumps(form.errors), status=400, content_type="application/json")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if kind == "csv":
        body, content_type, ext = csv_lines(_rows(rows)), "text/csv; charset=utf-8", "csv"
    else:
        body, content_type, ext = jsonl_lines(_rows(rows)), "application/jsonl", "jsonl"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="audit-{workspace.pk}-{stamp}.{ext}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def audit_export_csv(request, workspace_id):
    return _export(request, workspace_id, "csv")


@require_GET
def audit_export_jsonl(request, workspace_id):
    return _export(request, workspace_id, "jsonl")
