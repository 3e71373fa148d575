"""Shared by the read-only admin pages (audit trail, conversations and everything under them)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode


def pretty_json(value: Any) -> str:
    """Indented JSON in a <pre>; format_html escapes it, so stored text can never become markup."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True)
    return format_html('<pre class="json">{}</pre>', text)


def changelist_link(model: type, label: str, **filters: Any) -> str:
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), label)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """What ran is history: nobody adds, changes or deletes it here, superusers included. Change
    pages render read-only (view permission), and Django refuses a POST to them with 403."""

    # Admin ids typed into search: `uuid_search_fields` are matched exactly when the term is one.
    uuid_search_fields: tuple[str, ...] = ()
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over the whole event log on every page

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        try:
            value = uuid.UUID(term)
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        from django.db.models import Q

        query = Q()
        for field in self.uuid_search_fields:
            query |= Q(**{field: value})
        return queryset.filter(query), False
