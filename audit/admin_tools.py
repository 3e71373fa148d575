"""Shared by every app's admin: the read-only base classes for history and the display columns
(links, related objects, JSON) that the model admins would otherwise each write again."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from audit.display import pretty_json


def json_block(value: Any) -> str:
    """Indented JSON in a <pre>; format_html escapes it, so stored text can never become markup."""
    return format_html('<pre class="json">{}</pre>', pretty_json(value))


def changelist_link(model: type, label: str, **filters: Any) -> str:
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), label)


def json_display(field: str, description: str | None = None) -> Callable:
    """A read-only column showing the JSON field `field` as `json_block` does."""

    @admin.display(description=description or field)
    def show(self, obj):
        return json_block(getattr(obj, field))

    return show


def change_link(field: str, description: str | None = None) -> Callable:
    """A column linking to the admin page of the object in foreign key `field`."""

    @admin.display(description=description or field)
    def show(self, obj):
        target = getattr(obj, field)
        if target is None:
            return "-"
        meta = target._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}</a>', url, target)

    return show


def related_display(path: str) -> Callable:
    """A column showing an object reached through foreign keys, e.g. "agent.graph", sorted by
    that object's name: the admin cannot list `agent__graph` itself."""
    steps = path.split(".")

    @admin.display(ordering="__".join(steps) + "__name", description=steps[-1])
    def show(self, obj):
        for step in steps:
            obj = getattr(obj, step)
            if obj is None:
                return None
        return obj

    return show


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
        try:
            value = uuid.UUID(search_term.strip())
        except ValueError:
            value = None
        if value is None or not self.uuid_search_fields:
            return super().get_search_results(request, queryset, search_term)
        query = Q()
        for field in self.uuid_search_fields:
            query |= Q(**{field: value})
        return queryset.filter(query), False


class ReadOnlyTabularInline(admin.TabularInline):
    """Related rows listed on their parent's page, each linking to its own; every field is shown
    read-only (`readonly_fields` defaults to `fields`), and rows are added and removed elsewhere."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields or self.fields or ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
