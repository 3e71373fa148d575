"""The run events of the catalogue (`conversations.events.RUN_PAYLOADS`) in `/api/schema/`, the
same way the conversation events are there: a oneOf discriminated by `type`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension

from conversations.event_schema import openapi_components
from conversations.events import RUN_PAYLOADS


def _catalogue() -> tuple[dict[str, Any], dict[str, Any]]:
    return openapi_components({str(kind): payload for kind, payload in RUN_PAYLOADS.items()})


class RunEventOutputSchema(OpenApiSerializerExtension):
    target_class = "orchestrations.api.serializers.RunEventOutput"

    def map_serializer(self, auto_schema, direction):
        return _catalogue()[1]


def add_run_event_components(result: dict[str, Any], generator, **kwargs) -> dict[str, Any]:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: the run events' components."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _catalogue()[0].items():
        schemas.setdefault(name, schema)
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result
