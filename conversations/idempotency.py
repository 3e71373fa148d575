"""Idempotency keys: the writes behind the `Idempotency-Key` header of the POSTs that start work.

A keyed request claims (user, key) by inserting its row inside the same transaction as the work
it does, and fills in the answer before that transaction commits. So a reader only ever sees a
finished row; a concurrent duplicate waits on the unique index (PostgreSQL) or the write lock
(SQLite) until the first commits, then replays it; and a request that fails rolls back its claim
with its work, leaving the key free for a retry. Only successful answers are kept: a refused
request changed nothing, so doing it again does nothing twice either.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.errors import ConversationError
from conversations.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = IdempotencyKey._meta.get_field("key").max_length
MAX_PATH_LENGTH = IdempotencyKey._meta.get_field("path").max_length
# UUIDs, ULIDs and base64 tokens fit; nothing that needs quoting or escaping in a log line.
KEY_PATTERN = re.compile(r"[A-Za-z0-9._:~+/=-]+")


class IdempotencyMismatch(ConversationError):
    """The key was already used for a different request: 422."""

    status_code = 422


@dataclass(frozen=True)
class Replay:
    status: int
    body: Any


def parse_key(raw: str) -> str:
    """The header's key; the structured-field form ("…" in quotes) is accepted too."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not KEY_PATTERN.fullmatch(key):
        raise ConversationError(
            f"Use 1 to {MAX_KEY_LENGTH} letters, digits or ._:~+/=- characters.", field=HEADER
        )
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    if hasattr(body, "lists"):  # a QueryDict from a form or multipart body
        body = dict(body.lists())
    canonical = json.dumps(
        [method.upper(), path, body], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def idempotency_begin(
    *, user, key: str, method: str, path: str, fingerprint: str
) -> IdempotencyKey | Replay:
    """Claim the key, or return the answer it already has. Must run in the transaction that
    does the work, so the claim commits or rolls back with it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("idempotency_begin needs the work's transaction")
    # A key past its time is forgotten even before the periodic purge gets to it.
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - ttl()
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user,
                key=key,
                method=method.upper(),
                path=path[:MAX_PATH_LENGTH],
                fingerprint=fingerprint,
            )
    except IntegrityError:
        pass  # someone used this key first; their transaction has committed by now
    existing = IdempotencyKey.objects.get(user=user, key=key)
    if existing.fingerprint != fingerprint:
        raise IdempotencyMismatch(
            "This key was already used for a different request; use a new key.", field=HEADER
        )
    return Replay(status=existing.response_status, body=json.loads(existing.response_body))


def idempotency_finish(*, record: IdempotencyKey, status: int, body: str) -> None:
    """Store the answer (its JSON text, keys in their order) that retries with this key get."""
    IdempotencyKey.objects.filter(pk=record.pk).update(response_status=status, response_body=body)


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - ttl()).delete()
    return deleted
