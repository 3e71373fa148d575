"""TypedDicts to JSON Schema (2020-12) and to OpenAPI 3.0 schemas, for the event catalogue.

Small on purpose: it knows the few annotations `conversations.events` uses (str, int, float,
bool, Any, None, Literal, unions, list[X], dict[str, X], nested TypedDicts and `DateTime`), and
its output is deterministic, so the committed schema file only changes when the catalogue does.
"""

import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints


class _Format(str):
    """A string format marker for Annotated (`date-time`)."""


DateTime = Annotated[str, _Format("date-time")]
_PRIMITIVES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and typing.is_typeddict(tp)


class SchemaBuilder:
    """Builds schemas for annotations, collecting each TypedDict once as a named definition."""

    def __init__(self, *, openapi: bool, ref_prefix: str) -> None:
        self.openapi = openapi
        self.ref_prefix = ref_prefix
        self.definitions: dict[str, dict[str, Any]] = {}

    def ref(self, name: str) -> dict[str, Any]:
        return {"$ref": f"{self.ref_prefix}{name}"}

    def constant(self, values: list[Any]) -> dict[str, Any]:
        if len(values) == 1 and not self.openapi:
            return {"const": values[0]}
        return {"enum": list(values)}

    def typeddict(self, td: type) -> dict[str, Any]:
        name = td.__name__
        if name not in self.definitions:
            self.definitions[name] = {}  # reserved first: a recursive type must not loop
            hints = get_type_hints(td, include_extras=True)
            schema: dict[str, Any] = {
                "type": "object",
                "properties": {key: self.schema(hint) for key, hint in hints.items()},
                "required": [key for key in hints if key in td.__required_keys__],
            }
            if td.__doc__ and td.__doc__ is not dict.__doc__:
                schema["description"] = " ".join(td.__doc__.split())
            self.definitions[name] = schema
        return self.ref(name)

    def schema(self, tp: Any) -> dict[str, Any]:
        origin, args = get_origin(tp), get_args(tp)
        if origin in (typing.Required, typing.NotRequired):
            return self.schema(args[0])
        if origin is Annotated:
            schema = self.schema(args[0])
            formats = [a for a in args[1:] if isinstance(a, _Format)]
            return {**schema, "format": str(formats[0])} if formats else schema
        if tp is Any:
            return {}
        if tp is type(None):
            return {"type": "null"} if not self.openapi else {"nullable": True}
        if tp in _PRIMITIVES:
            return {"type": _PRIMITIVES[tp]}
        if _is_typeddict(tp):
            return self.typeddict(tp)
        if origin is Literal:
            return self.constant(list(args))
        if origin in (Union, types.UnionType):
            return self.union(list(args))
        if origin is list:
            return {"type": "array", "items": self.schema(args[0]) if args else {}}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.schema(args[1])}
        raise TypeError(f"no schema for the annotation {tp!r}")

    def union(self, members: list[Any]) -> dict[str, Any]:
        nullable = type(None) in members
        members = [m for m in members if m is not type(None)]
        schemas = [self.schema(m) for m in members]
        if self.openapi:
            schema = schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
            if nullable and "$ref" in schema:
                schema = {"allOf": [schema]}  # OpenAPI 3.0 ignores siblings of $ref
            return {**schema, "nullable": True} if nullable else schema
        if nullable:
            schemas.append({"type": "null"})
        return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}

    def event(self, kind: str, payload: type, *, created_at_required: bool) -> dict[str, Any]:
        """The envelope of one event type: `{"seq", "type", "data", "created_at"}`."""
        required = ["seq", "type", "data"] + (["created_at"] if created_at_required else [])
        return {
            "type": "object",
            "properties": {
                "seq": {"type": "integer", "minimum": 1},
                "type": self.constant([kind]),
                "data": self.typeddict(payload),
                "created_at": {"type": "string", "format": "date-time"},
            },
            "required": required,
        }


def event_component_name(kind: str) -> str:
    """`message.output.delta` → `MessageOutputDeltaEvent` (the envelope's component name)."""
    return "".join(part.capitalize() for part in kind.replace("_", ".").split(".")) + "Event"


def json_schema_document(
    payloads: dict[str, type], *, title: str, description: str
) -> dict[str, Any]:
    builder = SchemaBuilder(openapi=False, ref_prefix="#/$defs/")
    variants = []
    for kind, payload in payloads.items():
        name = event_component_name(kind)
        builder.definitions[name] = builder.event(kind, payload, created_at_required=False)
        variants.append(builder.ref(name))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://agentstudio.invalid/static/conversations/events.schema.json",
        "title": title,
        "description": description,
        "type": "object",
        "required": ["seq", "type", "data"],
        "properties": {"type": {"enum": list(payloads)}},
        "oneOf": variants,
        "$defs": dict(sorted(builder.definitions.items())),
    }


def openapi_components(payloads: dict[str, type]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The components for `/api/schema/` and the discriminated oneOf of one event."""
    builder = SchemaBuilder(openapi=True, ref_prefix="#/components/schemas/")
    mapping = {}
    for kind, payload in payloads.items():
        name = event_component_name(kind)
        builder.definitions[name] = builder.event(kind, payload, created_at_required=True)
        mapping[kind] = f"#/components/schemas/{name}"
    one_of = {
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    return builder.definitions, one_of
