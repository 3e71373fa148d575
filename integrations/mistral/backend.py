"""The backend adapter: with `sync`, the only code of the project that imports `mistralai`.

It talks to the real Mistral API when MISTRAL_API_KEY is set, else to this server's sandbox (when
SANDBOX_ENABLED, with its SANDBOX_API_KEY), with timeouts and SDK retries (429/5xx, honouring
Retry-After). Everything it returns is plain data.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
from django.conf import settings
from mistralai.client import Mistral
from mistralai.client.errors import MistralError, SDKError
from mistralai.client.utils import BackoffStrategy, RetryConfig

from integrations.mistral import aio, events, sdk_cache, sse
from integrations.mistral.retrying import NO_RETRIES, RetryNotice, call_with_retries

NO_BACKEND = (
    "No backend is configured: set MISTRAL_API_KEY for the Mistral API, or SANDBOX_ENABLED=true "
    "for the offline sandbox."
)
_client_lock = threading.Lock()
_client: tuple[tuple[str, str], Mistral] | None = None


class BackendError(Exception):
    """A backend failure, with a message a person can act on."""


def active_backend() -> str:
    """`mistral` when an API key is configured, else `sandbox` when it is enabled, else `none`."""
    if settings.MISTRAL_API_KEY:
        return "mistral"
    return "sandbox" if settings.SANDBOX_ENABLED else "none"


def server_url() -> str:
    if settings.MISTRAL_API_KEY:
        return settings.MISTRAL_SERVER_URL or "https://api.mistral.ai"
    return settings.SANDBOX_BASE_URL


def api_key() -> str:
    if settings.MISTRAL_API_KEY:
        return settings.MISTRAL_API_KEY
    if settings.SANDBOX_ENABLED:
        return settings.SANDBOX_API_KEY
    raise BackendError(NO_BACKEND)


def backend_key() -> str:
    """Identifies the backend remote ids belong to: switching backends means syncing anew."""
    return f"{active_backend()}:{server_url().rstrip('/')}"


# The SDK's per-call pydantic model classes, cached (see `sdk_cache`).
_cache_sdk_unmarshallers = sdk_cache.cache_unmarshallers
_cache_sdk_marshallers = sdk_cache.cache_marshallers


KEEPALIVE_EXPIRY_S = 2.0
OPEN_MARGIN_S = 10.0


def retry_config() -> RetryConfig:
    """The SDK's retry policy for this install's clients (the chat client's too)."""
    return RetryConfig(
        "backoff",
        BackoffStrategy(
            settings.MISTRAL_RETRY_INITIAL_MS,
            settings.MISTRAL_RETRY_MAX_INTERVAL_MS,
            1.8,
            settings.MISTRAL_RETRY_MAX_ELAPSED_MS,
        ),
        retry_connection_errors=True,
    )


def _limits() -> httpx2.Limits:
    # A pooled connection idle for as long as the server's keep-alive (uvicorn's and many
    # proxies' default is 5 s, httpx's too) may be closed by the server just as a turn reuses it:
    # "Server disconnected without sending a response". Expire idle connections well before that.
    return httpx2.Limits(
        max_connections=500, max_keepalive_connections=100, keepalive_expiry=KEEPALIVE_EXPIRY_S
    )


def client() -> Mistral:
    """One client per process, shared by the worker's threads (its HTTP pool is thread-safe):
    building one costs an SSL context and the SDK's lazy imports, too much for every turn."""
    global _client
    key = (backend_key(), api_key())
    cached = _client
    if cached is not None and cached[0] == key:
        return cached[1]
    with _client_lock:
        _cache_sdk_unmarshallers()
        _cache_sdk_marshallers()
        sse.install()
        if _client is None or _client[0] != key:
            retry = retry_config()
            sdk = Mistral(
                api_key=key[1],
                server_url=server_url(),
                timeout_ms=settings.MISTRAL_TIMEOUT_MS,
                retry_config=retry,
                client=httpx2.Client(limits=_limits(), follow_redirects=True),
                # Used only on the process's stream loop (`aio`), the one loop it is bound to.
                async_client=httpx2.AsyncClient(limits=_limits(), follow_redirects=True),
            )
            # Resolve the SDK's lazily imported sub-APIs now, once, not under load.
            _ = sdk.beta.conversations, sdk.beta.agents, sdk.files
            _client = (key, sdk)
        return _client[1]


def describe(exc: Exception) -> str:
    if isinstance(exc, SDKError):
        body = (exc.body or "").strip()
        return f"The backend answered HTTP {exc.status_code}: {body[:300] or exc.message}"
    if isinstance(exc, MistralError):
        return f"The backend failed: {exc.message[:300]}"
    return f"The backend could not be reached: {type(exc).__name__}: {str(exc)[:300]}"


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # SDK, transport and validation errors all end the same way
        wrapped = as_backend_error(exc)
        if wrapped is exc:
            raise
        raise wrapped from exc


def as_backend_error(exc: Exception) -> BackendError:
    """Any failure of a backend call as the `BackendError` a person can act on."""
    return exc if isinstance(exc, BackendError) else BackendError(describe(exc))


_dump = events.dump
StreamEvent = events.StreamEvent  # what the engine consumes


def agent_create(config: dict[str, Any]) -> dict[str, Any]:
    with _errors():
        return _dump(client().beta.agents.create(**config))


def agent_update(remote_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    with _errors():
        return _dump(client().beta.agents.update(agent_id=remote_id, **fields))


def agent_get(remote_id: str) -> dict[str, Any] | None:
    """The agent as the backend holds it now (its active version), or None if it is gone."""
    try:
        return _dump(client().beta.agents.get(agent_id=remote_id))
    except BackendError:
        raise
    except SDKError as exc:
        if exc.status_code == 404:
            return None
        raise BackendError(describe(exc)) from exc
    except Exception as exc:
        raise BackendError(describe(exc)) from exc


def agent_exists(remote_id: str) -> bool:
    return agent_get(remote_id) is not None


@contextlib.contextmanager
def conversation_stream(
    *,
    remote_conversation_id: str,
    agent_id: str,
    inputs: list[dict[str, Any]] | None,
    handoff_execution: str,
    metadata: dict[str, Any] | None = None,
    restart_from_entry: str = "",
    agent_version: int | None = None,
    on_retry: Callable[[RetryNotice], bool] | None = None,
) -> Iterator[aio.LoopStream]:
    """Start (no remote id yet) or append to a conversation, streaming its events; with
    `restart_from_entry`, restart `remote_conversation_id` from that entry instead: a new remote
    conversation (its id comes in `conversation.response.started`). Opening the stream is retried
    here, not in the SDK, so `on_retry` hears of each retry before its wait."""
    conversations = client().beta.conversations

    async def open_stream():
        if restart_from_entry:
            pinned = {} if agent_version is None else {"agent_version": agent_version}
            return await conversations.restart_stream_async(
                conversation_id=remote_conversation_id,
                from_entry_id=restart_from_entry,
                inputs=inputs,
                handoff_execution=handoff_execution,
                metadata=metadata or None,
                retries=NO_RETRIES,
                **pinned,
            )
        if remote_conversation_id:
            return await conversations.append_stream_async(
                conversation_id=remote_conversation_id,
                inputs=inputs,
                handoff_execution=handoff_execution,
                retries=NO_RETRIES,
            )
        return await conversations.start_stream_async(
            agent_id=agent_id,
            inputs=inputs,
            handoff_execution=handoff_execution,
            metadata=metadata or None,
            retries=NO_RETRIES,
        )

    # The SDK's own timeout ends a slow opening; this ceiling only catches a wedged loop.
    open_timeout = settings.MISTRAL_TIMEOUT_MS / 1000 + OPEN_MARGIN_S
    with _errors():
        # Opened from this (the turn's) thread, so retries wait and are announced here; read on
        # the process's stream loop.
        stream = aio.LoopStream(
            events.ConversationEventBody(
                call_with_retries(lambda: aio.run(open_stream(), open_timeout), on_retry)
            ),
            as_backend_error,
        )
    try:
        yield stream
    finally:
        stream.close()


def conversation_history(remote_conversation_id: str) -> list[dict[str, Any]]:
    with _errors():
        history = client().beta.conversations.get_history(conversation_id=remote_conversation_id)
        return [_dump(entry) for entry in history.entries]


def file_download(file_id: str) -> tuple[bytes, dict[str, Any]]:
    with _errors():
        files = client().files
        meta = _dump(files.retrieve(file_id=file_id))
        response = files.download(file_id=file_id)
        try:
            content = response.read()
        finally:
            response.close()
        return content, meta


def conversation_find(metadata: dict[str, Any]) -> str:
    """The id of the backend conversation carrying this metadata, or "" when there is none."""
    with _errors():
        found = client().beta.conversations.list(page=0, page_size=1, metadata=metadata)
        return found[0].id if found else ""
