"""Functions the worker answers by itself, in the spirit of the durable-agents guide's activities.

Decorate a plain Python function with `@agent_function` and any agent tool of the same name is
answered automatically, in the worker, within FUNCTION_TIME_LIMIT_S. Every other function call
waits in the pending-action inbox for a person. Keyword arguments come from the model's JSON
arguments; the return value is sent back as the result (JSON unless it is already a string); an
exception becomes an error result the model can read.

    from conversations.functions import agent_function

    @agent_function
    def get_current_time(timezone: str = "UTC") -> dict:
        ...

Modules listed in the AGENT_FUNCTION_MODULES setting are imported when the registry is first
used, so their decorators run in every worker.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.conf import settings

_registry: dict[str, Callable[..., Any]] = {}
_loaded = False
_lock = threading.Lock()
# Shared by all turns: a function that overruns its limit keeps its thread, not the turn's.
_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="agent-function")


def agent_function(fn: Callable[..., Any] | None = None, *, name: str | None = None):
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _registry[name or func.__name__] = func
        return func

    return register(fn) if fn is not None else register


def _ensure_loaded() -> None:
    global _loaded
    with _lock:
        if not _loaded:
            for module in settings.AGENT_FUNCTION_MODULES:
                importlib.import_module(module)
            _loaded = True


def is_registered(name: str) -> bool:
    _ensure_loaded()
    return name in _registry


def run(name: str, arguments: dict[str, Any], time_limit_s: float | None = None) -> str:
    """Run a registered function; never raises: failures become results the model can read."""
    _ensure_loaded()
    limit = time_limit_s if time_limit_s is not None else settings.FUNCTION_TIME_LIMIT_S
    func = _registry[name]
    future = _executor.submit(lambda: func(**arguments))
    try:
        value = future.result(timeout=limit)
    except FutureTimeout:
        return json.dumps({"error": f"{name} did not finish within {limit:g} seconds"})
    except TypeError as exc:
        return json.dumps({"error": f"bad arguments for {name}: {exc}"})
    except Exception as exc:
        return json.dumps({"error": f"{type(exc).__name__}: {exc}"})
    return value if isinstance(value, str) else json.dumps(value, default=str)
