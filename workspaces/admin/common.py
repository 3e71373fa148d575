"""What the editable admins of every app share: service errors shown on the form or the page, and
deletes routed through the services."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.db.models import Model

from workspaces.exceptions import DomainValidationError


def attach_errors(form: forms.ModelForm, errors: Mapping[str, list[str]]) -> None:
    """Put `tools[0].function.name`-style errors on the form field they start with."""
    for path, field_messages in errors.items():
        field = path.split(".", 1)[0].split("[", 1)[0]
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message if path == field else f"{path}: {message}")


def report_errors(request, exc: DomainValidationError) -> None:
    for path, field_messages in exc.errors.items():
        messages.error(request, f"{path}: {' '.join(field_messages)}")


def adopt(obj: Model, created: Model, *fields: str) -> None:
    """Make the admin's unsaved `obj` the row a service created, so the admin's redirect and
    log entry point at it."""
    obj.pk = created.pk
    for field in fields:
        setattr(obj, field, getattr(created, field))
    obj._state.adding = False


class ServiceDeleteMixin:
    """The changelist's bulk delete goes through `delete_model`, one object at a time, so the
    service checks and audits each delete."""

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
