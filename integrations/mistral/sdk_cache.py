"""The `mistralai` SDK builds a fresh pydantic model class for every value it parses or
serializes: every response body and stream event (`serializers.unmarshal`) and every request
body (`serializers.marshal_json`). With a hundred streams, building those classes was an eighth
of the worker's time, and a turn's request body cost a millisecond of it (measured with py-spy).
These copies cache the class per target type: the same validation and the same output. The tests
in `tests/test_sdk_unmarshal.py` and `tests/test_sdk_marshal.py` pin the SDK source each replaces
and compare both on the same values."""

from __future__ import annotations

import json
import threading
from typing import Any

from pydantic import ConfigDict, create_model

_MARKER = "cached_by_agentstudio"
# Modules that bound `marshal_json` by name at import (`from .serializers import marshal_json`).
MARSHAL_USERS = ("serializers", "requestbodies", "values", "forms")


def _model_cache(name: str):
    models: dict[Any, Any] = {}
    # A hundred turns starting at once would otherwise each build the same class.
    building = threading.Lock()

    def model_for(typ: Any) -> Any:
        """The cached model class for `typ`; raises TypeError for an unhashable type."""
        model = models.get(typ)
        if model is None:
            with building:
                model = models.get(typ)
                if model is None:
                    model = models[typ] = create_model(
                        name,
                        body=(typ, ...),
                        __config__=ConfigDict(populate_by_name=True, arbitrary_types_allowed=True),
                    )
        return model

    return model_for


def cache_unmarshallers() -> None:
    from mistralai.client.utils import serializers

    if getattr(serializers.unmarshal, _MARKER, False):
        return
    original = serializers.unmarshal
    model_for = _model_cache("Unmarshaller")

    def unmarshal(val, typ: Any, coerce_iterables: bool = True) -> Any:
        try:
            model = model_for(typ)
        except TypeError:  # an unhashable type: leave it to the SDK
            return original(val, typ, coerce_iterables)
        if coerce_iterables:
            val = serializers._coerce_iterables_for_type(val, typ)
        return model(body=val).body

    setattr(unmarshal, _MARKER, True)
    serializers.unmarshal = unmarshal


def cache_marshallers() -> None:
    import importlib

    from mistralai.client.utils import serializers

    if getattr(serializers.marshal_json, _MARKER, False):
        return
    original = serializers.marshal_json
    model_for = _model_cache("Marshaller")

    def marshal_json(val, typ):
        if serializers.is_nullable(typ) and val is None:
            return "null"
        try:
            model = model_for(typ)
        except TypeError:  # an unhashable type: leave it to the SDK
            return original(val, typ)
        dumped = model(body=val).model_dump(by_alias=True, mode="json", exclude_none=True)
        if len(dumped) == 0:
            return ""
        return json.dumps(dumped[next(iter(dumped))], separators=(",", ":"))

    setattr(marshal_json, _MARKER, True)
    for name in MARSHAL_USERS:
        module = importlib.import_module(f"mistralai.client.utils.{name}")
        module.marshal_json = marshal_json
