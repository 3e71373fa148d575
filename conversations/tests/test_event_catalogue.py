"""The event catalogue: one definition for the engine, the OpenAPI schema and the JSON Schema."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conversations.event_schema import event_component_name
from conversations.events import (
    CONVERSATION_STATUSES,
    OWN_EVENT_TYPES,
    PAYLOADS,
    EventType,
    event_json_schema,
    event_json_schema_text,
)
from conversations.models import Status

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "static" / "conversations" / "events.schema.json"
MISTRAL_STREAM_TYPES = {
    "conversation.response.started",
    "message.output.delta",
    "tool.execution.started",
    "tool.execution.delta",
    "tool.execution.done",
    "agent.handoff.started",
    "agent.handoff.done",
    "function.call.delta",
    "conversation.response.done",
    "conversation.response.error",
}


def test_every_event_type_has_a_payload_and_the_families_are_as_designed():
    assert set(PAYLOADS) == set(EventType)
    assert {str(t) for t in EventType} - OWN_EVENT_TYPES == MISTRAL_STREAM_TYPES
    assert set(CONVERSATION_STATUSES) == set(Status.values)


def test_the_committed_json_schema_is_what_the_catalogue_generates():
    # Regenerate with: python -m conversations.events > static/conversations/events.schema.json
    assert SCHEMA_FILE.read_text() == event_json_schema_text()


def test_the_json_schema_tells_the_types_apart():
    schema = event_json_schema()
    assert schema["properties"]["type"]["enum"] == [str(t) for t in EventType]
    for kind in EventType:
        variant = schema["$defs"][event_component_name(kind)]
        assert variant["properties"]["type"] == {"const": str(kind)}
        payload = variant["properties"]["data"]["$ref"].rsplit("/", 1)[-1]
        assert payload == PAYLOADS[kind].__name__ and payload in schema["$defs"]


@pytest.mark.django_db
def test_the_events_endpoint_documents_each_types_payload(client, make_user):
    client.force_login(make_user("reader"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    components = schema["components"]["schemas"]
    for kind, payload in PAYLOADS.items():
        assert payload.__name__ in components, payload.__name__
        event = components[event_component_name(kind)]
        assert event["properties"]["type"]["enum"] == [str(kind)]
        assert event["properties"]["data"] == {"$ref": f"#/components/schemas/{payload.__name__}"}
    events = schema["paths"]["/api/conversations/{id}/events/"]["get"]["responses"]["200"]
    item = events["content"]["application/json"]["schema"]["items"]
    assert item == {"$ref": "#/components/schemas/EventOutput"}
    one_of = components["EventOutput"]
    assert one_of["discriminator"]["propertyName"] == "type"
    assert set(one_of["discriminator"]["mapping"]) == {str(t) for t in EventType}
    assert len(one_of["oneOf"]) == len(EventType)


@pytest.mark.parametrize("package", ["engine", "services"])
def test_the_engine_and_services_name_event_types_by_the_catalogue(package):
    """No bare string literal for an event type: EventType members only."""
    values = {str(t) for t in EventType}
    found = []
    for path in sorted((ROOT / "conversations" / package).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in values:
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert not found, found
