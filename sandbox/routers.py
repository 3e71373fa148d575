"""Keeps the sandbox's state in its own database and the product's out of it."""

from __future__ import annotations

from typing import Any

from sandbox import conf

APP_LABEL = "sandbox"


def _is_sandbox(model: Any) -> bool:
    return model._meta.app_label == APP_LABEL


class SandboxRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return conf.database() if _is_sandbox(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return conf.database() if _is_sandbox(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # No relation crosses the two databases; within either, other routers decide.
        if _is_sandbox(obj1) != _is_sandbox(obj2):
            return False
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return (app_label == APP_LABEL) == (db == conf.database())
