"""What every service shares, in this app and the ones above it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser

from workspaces.exceptions import DomainValidationError

User: TypeAlias = AbstractBaseUser


def raise_if(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise DomainValidationError(errors)
