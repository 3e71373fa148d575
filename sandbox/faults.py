"""Fault injection, chosen per conversation so tests and benchmarks can provoke every failure.

Pick a fault with the conversation's `metadata` (`{"sandbox_fault": "<name>"}`), a request header
(`X-Sandbox-Fault: <name>`) or, for every conversation, the setting or environment variable
`SANDBOX_FAULT`:

- `rate_limit`: 429 with `Retry-After` (seconds, `sandbox_retry_after`, default 1);
- `server_error`: 500, code 3000, "Response failed during handoff orchestration";
- `stream_cut`: the stream stops half-way through and the connection is dropped;
- `response_error`: the stream sends a `conversation.response.error` event half-way and ends;
- `slow_first_byte`: nothing is sent for `sandbox_first_byte_ms` (default 3000) milliseconds.

Stream shape, for benchmarks: `sandbox_delay_ms` paces the deltas; `sandbox_chunk: "token"`
streams text in pieces of about four characters (one delta per token, as the real API does)
instead of one per word; `sandbox_reply_tokens: N` lengthens the answer to about N such tokens.

`sandbox_fault_times: N` makes the fault fire only the first N times for one key
(`sandbox_fault_key`, else the conversation id, else the metadata itself), so a client's retry can
succeed. `stream_cut` and `response_error` on a blocking request answer like `server_error`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F
from django.http import HttpResponse

from sandbox import conf, wire
from sandbox.models import SandboxFaultCounter

FAULTS = ("rate_limit", "server_error", "stream_cut", "response_error", "slow_first_byte")
HANDOFF_FAILURE = "Response failed during handoff orchestration"
MAX_REPLY_TOKENS = 20_000


@dataclass(frozen=True)
class Knobs:
    """Per-request behaviour: the fault to inject and the stream timing."""

    fault: str | None
    delay_ms: int
    first_byte_ms: int
    retry_after: int
    trace: bool = False
    chunk: str = "word"  # "word" or "token": how text deltas are cut
    reply_tokens: int = 0  # lengthen the answer to about this many tokens (0: as the policy says)


def global_fault() -> str | None:
    """The fault for every conversation: the setting, else the environment variable (which a
    server started by a test or a benchmark inherits)."""
    return getattr(settings, "SANDBOX_FAULT", None) or os.environ.get("SANDBOX_FAULT") or None


def _int(value: Any, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def knobs(metadata: dict[str, Any] | None, headers: Any, key: str) -> Knobs:
    meta = metadata if isinstance(metadata, dict) else {}
    fault = meta.get("sandbox_fault") or headers.get("X-Sandbox-Fault") or global_fault()
    if fault not in FAULTS:
        fault = None
    if fault and "sandbox_fault_times" in meta:
        fault = fault if _count(meta, key) else None
    delay = meta.get("sandbox_delay_ms", headers.get("X-Sandbox-Delay-Ms"))
    return Knobs(
        fault=fault,
        delay_ms=_int(delay, _int(getattr(settings, "SANDBOX_DELAY_MS", 0), 0)),
        first_byte_ms=_int(meta.get("sandbox_first_byte_ms"), 3000),
        retry_after=_int(meta.get("sandbox_retry_after"), 1),
        trace=meta.get("sandbox_trace") is True,
        chunk="token" if meta.get("sandbox_chunk") == "token" else "word",
        reply_tokens=min(_int(meta.get("sandbox_reply_tokens"), 0), MAX_REPLY_TOKENS),
    )


def _count(meta: dict[str, Any], key: str) -> bool:
    """True while the fault has fired fewer than `sandbox_fault_times` times for this key."""
    limit = _int(meta.get("sandbox_fault_times"), 0)
    key = str(meta.get("sandbox_fault_key") or key or json.dumps(meta, sort_keys=True))[:255]
    with conf.atomic():
        SandboxFaultCounter.objects.get_or_create(key=key)
        counter = SandboxFaultCounter.objects.select_for_update().get(key=key)
        if counter.fired >= limit:
            return False
        SandboxFaultCounter.objects.filter(key=key).update(fired=F("fired") + 1)
        return True


def refusal(knobs_: Knobs, *, stream: bool) -> HttpResponse | None:
    """The error response a fault gives before any work is done, if it is that kind of fault."""
    fault = knobs_.fault
    if fault == "rate_limit":
        return wire.error(
            429,
            "Rate limit exceeded",
            type_="rate_limited",
            code="1300",
            headers={"Retry-After": str(knobs_.retry_after)},
        )
    if fault == "server_error" or (not stream and fault in ("stream_cut", "response_error")):
        return server_error()
    return None


def server_error(message: str = HANDOFF_FAILURE) -> HttpResponse:
    body = {"object": "Error", "message": message, "type": "invalid_request_error", "code": 3000}
    return wire.json_response(body, status=500)
