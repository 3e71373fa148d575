"""API tokens (DRF's one token per user): create (replacing any old one) and revoke, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from audit.models import Action
from audit.services import audit_record


class NoToken(Exception):
    pass


def _object(user: Any) -> dict[str, Any]:
    return {"object_type": "token", "object_id": user.pk, "object_repr": user.get_username()}


@transaction.atomic
def token_create(*, actor: Any, user: Any) -> Token:
    """A new key for `user`; an existing key stops working. The key itself is never audited."""
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    audit_record(
        actor=actor,
        action=Action.TOKEN_CREATE,
        **_object(user),
        before={"had_token": replaced},
        after={"user": user.get_username(), "created": token.created},
    )
    return token


@transaction.atomic
def token_revoke(*, actor: Any, user: Any) -> None:
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is None:
        raise NoToken("There is no API token to revoke.")
    created = token.created
    token.delete()
    audit_record(
        actor=actor,
        action=Action.TOKEN_REVOKE,
        **_object(user),
        before={"user": user.get_username(), "created": created},
    )
