"""The event catalogue in `/api/schema/`: an event is a oneOf of one component per type,
discriminated by `type`, each with its payload component (see `conversations.events`).

The components are added by a postprocessing hook that runs after drf-spectacular's enum hook:
the catalogue's one-value `type` enums are discriminator values, not choice sets to be pulled
out into (colliding) enum components.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension

from conversations.event_schema import openapi_components
from conversations.events import PAYLOADS


def _catalogue() -> tuple[dict[str, Any], dict[str, Any]]:
    return openapi_components({str(kind): payload for kind, payload in PAYLOADS.items()})


class EventOutputSchema(OpenApiSerializerExtension):
    target_class = "conversations.api.serializers.EventOutput"

    def map_serializer(self, auto_schema, direction):
        return _catalogue()[1]


def add_event_components(result: dict[str, Any], generator, **kwargs) -> dict[str, Any]:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: the catalogue's components."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _catalogue()[0].items():
        schemas.setdefault(name, schema)
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result
