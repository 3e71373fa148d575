"""The sandbox's settings, each with a default, so the app needs nothing else from its project.

- `SANDBOX_API_KEY`: the one key the sandbox answers; empty refuses every request.
- `SANDBOX_DATABASE`: the database alias holding its state (default "sandbox"); the project
  lists `sandbox.routers.SandboxRouter` in DATABASE_ROUTERS to send the app's models there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction


def api_key() -> str:
    return getattr(settings, "SANDBOX_API_KEY", "") or ""


def database() -> str:
    return getattr(settings, "SANDBOX_DATABASE", "sandbox")


def atomic() -> transaction.Atomic:
    """A transaction on the sandbox's database (`transaction.atomic()` alone opens one on the
    project's default database, which would leave the sandbox's rows outside it)."""
    return transaction.atomic(using=database())
