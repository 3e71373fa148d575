"""Retrying the start of a stream where the worker can see it, so the page can say so.

The SDK's own retries are silent: a run that waits a minute on a failing backend looks stuck.
For opening a conversation stream the adapter retries here instead, with the same policy (429 and
5xx and connection errors, exponential backoff, Retry-After honoured, an overall time budget) and
a bounded number of attempts, and tells a callback about each retry before it waits. The callback
can stop the retries (the conversation was cancelled meanwhile).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx2
from django.conf import settings
from mistralai.client.errors import MistralError
from mistralai.client.utils import BackoffStrategy, RetryConfig

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
EXPONENT = 1.8
# The SDK's retries off, for calls this module retries itself.
NO_RETRIES = RetryConfig("none", BackoffStrategy(0, 0, 1.0, 0), retry_connection_errors=False)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryNotice:
    attempt: int  # the retry about to be made: 1 for the first retry
    max_attempts: int  # retries allowed in all
    status: int | None  # the HTTP status that failed, None for a connection error
    delay_s: float  # the wait before the retry
    reason: str  # what failed, in a few words


class RetriesStopped(Exception):
    """The callback asked to stop retrying; the last failure is the cause."""


def retry_after_s(value: str | None) -> float | None:
    """A Retry-After header's wait: seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _delay_s(exc: Exception, retry: int) -> float:
    if isinstance(exc, MistralError):
        asked = retry_after_s(exc.headers.get("retry-after"))
        if asked:
            return asked
    initial = settings.MISTRAL_RETRY_INITIAL_MS / 1000
    ceiling = settings.MISTRAL_RETRY_MAX_INTERVAL_MS / 1000
    return min(initial * EXPONENT**retry + random.uniform(0, initial), ceiling)  # noqa: S311


def _retryable(exc: Exception) -> tuple[bool, int | None, str]:
    if isinstance(exc, MistralError):
        status = exc.status_code
        return status in RETRYABLE_STATUSES, status, f"HTTP {status}"
    if isinstance(exc, httpx2.NetworkError | httpx2.TimeoutException):
        return True, None, f"a connection error ({type(exc).__name__})"
    return False, None, ""


def call_with_retries(
    call: Callable[[], T], on_retry: Callable[[RetryNotice], bool] | None = None
) -> T:
    """`call()` until it succeeds, a failure is not retryable, or the attempts or the time budget
    run out (then the last failure is raised). `on_retry` returning False stops the retries."""
    max_attempts = settings.MISTRAL_RETRY_MAX_ATTEMPTS
    budget_s = settings.MISTRAL_RETRY_MAX_ELAPSED_MS / 1000
    started = time.monotonic()
    retry = 0
    while True:
        try:
            return call()
        except Exception as exc:
            retryable, status, reason = _retryable(exc)
            delay = _delay_s(exc, retry)
            elapsed = time.monotonic() - started
            if not retryable or retry >= max_attempts or elapsed + delay > budget_s:
                raise
            retry += 1
            notice = RetryNotice(retry, max_attempts, status, round(delay, 2), reason)
            if on_retry is not None and on_retry(notice) is False:
                raise RetriesStopped(reason) from exc
            time.sleep(delay)
