"""Values that fit a JSON schema: function-call arguments filled from the user's words, and
JSON answers for `json_schema` response formats.

Required properties are always present, types and enums respected; values found in the text
(ISO dates from "jan 2025", numbers, identifiers such as "A-1234", e-mail addresses) are used
where they fit, and plausible placeholders otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.text import stem, stems, words

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.I)
_IDENTIFIER = re.compile(r"\b[A-Za-z]{1,6}-?\d{2,}[A-Za-z0-9-]*\b|\b#\d{3,}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:[.,]\d+)?(?![\w-])")
_URL = re.compile(r"https?://\S+")
_PROPER_NOUN = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_PLACE_HINTS = {"city", "country", "location", "place", "destination", "town", "region", "name",
                "company", "person", "customer", "origin"}  # fmt: skip


def find_dates(text: str) -> list[str]:
    """Dates in the text as ISO strings, in order of appearance; a bare month means its 1st."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], year: int, month: int, day: int) -> None:
        if any(s <= match.start() < e for s, e in taken):
            return
        try:
            found.append((match.start(), dt.date(year, month, day).isoformat()))
            taken.append(match.span())
        except ValueError:
            pass

    for m in _ISO_DATE.finditer(text):
        add(m, int(m[1]), int(m[2]), int(m[3]))
    for m in _DAY_MONTH_YEAR.finditer(text):
        add(m, int(m[3]), MONTHS[m[2].lower()[:3]], int(m[1]))
    for m in _MONTH_DAY_YEAR.finditer(text):
        add(m, int(m[3]), MONTHS[m[1].lower()[:3]], int(m[2]))
    for m in _MONTH_YEAR.finditer(text):
        add(m, int(m[2]), MONTHS[m[1].lower()[:3]], 1)
    return [iso for _, iso in sorted(found)]


def find_identifiers(text: str) -> list[str]:
    return [m.group(0) for m in _IDENTIFIER.finditer(text) if not _ISO_DATE.fullmatch(m.group(0))]


def find_numbers(text: str) -> list[float]:
    """Numbers that are not part of a date or an identifier."""
    masked = _ISO_DATE.sub(" ", text)
    masked = _IDENTIFIER.sub(" ", masked)
    masked = re.sub(rf"{_MONTH}\s+\d{{4}}", " ", masked, flags=re.I)
    out = []
    for m in _NUMBER.finditer(masked):
        try:
            out.append(float(m.group(0).replace(",", ".")))
        except ValueError:
            continue
    return out


@dataclass
class TextValues:
    """The values found in a request, consumed in order as properties ask for them."""

    text: str
    dates: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str) -> TextValues:
        return cls(
            text=text,
            dates=find_dates(text),
            identifiers=find_identifiers(text),
            numbers=find_numbers(text),
            emails=_EMAIL.findall(text),
        )


# Plurals the stemmer does not fold ("children" → "child").
IRREGULAR = {"children": "child", "people": "person", "persons": "person", "men": "man",
             "women": "woman", "feet": "foot", "teeth": "tooth"}  # fmt: skip
_ID_HINTS = {"id", "identifi", "number", "code", "ref", "referenc", "sku", "order", "invoice",
             "ticket", "account", "booking", "reservat", "tracking", "iban"}  # fmt: skip
_TEXT_HINTS = {"query", "text", "question", "message", "prompt", "content", "search", "topic",
               "description", "reason", "comment", "note", "body", "subject"}  # fmt: skip


def _hints(name: str, schema: dict[str, Any]) -> set[str]:
    return {stem(w) for w in words(name)} | {
        stem(w) for w in words(str(schema.get("description", "")))
    }


def _is_date(name: str, schema: dict[str, Any]) -> bool:
    fmt = schema.get("format")
    if fmt in ("date", "date-time"):
        return True
    return bool({"date", "day", "when", "since", "until"} & {w for w in words(name)})


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s (pydantic puts nested models under `$defs`)."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 20:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return {}
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node
        seen += 1
    if "allOf" in schema and isinstance(schema["allOf"], list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _resolve(part, root)
            for k, v in part.items():
                if k == "properties":
                    merged.setdefault("properties", {}).update(v)
                elif k == "required":
                    merged["required"] = list({*merged.get("required", []), *v})
                else:
                    merged.setdefault(k, v)
        schema = merged
    return schema


def _schema_type(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        non_null = [x for x in t if x != "null"]
        return non_null[0] if non_null else "null"
    if t:
        return str(t)
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if "enum" in schema and schema["enum"]:
        return type(schema["enum"][0]).__name__.replace("str", "string")
    return "string"


class ValueBuilder:
    """Builds a value for a schema. `values` supplies text-derived values; `filler` the words
    used for free-text strings (e.g. a sandbox sentence in a JSON answer)."""

    def __init__(self, root: dict[str, Any], values: TextValues, filler: str) -> None:
        self.root = root
        self.values = values
        self.filler = filler

    def build(self, schema: dict[str, Any], name: str = "", depth: int = 0) -> Any:
        schema = _resolve(schema, self.root)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self._enum(schema["enum"], name)
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                options = [_resolve(o, self.root) for o in schema[key]]
                non_null = [o for o in options if o.get("type") != "null"] or options
                return self.build(non_null[0], name, depth)
        kind = _schema_type(schema)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "integer":
            return int(round(self._number(schema, name)))
        if kind == "number":
            return self._number(schema, name)
        if kind == "boolean":
            return bool(_hints(name, schema) & stems(self.values.text)) if name else True
        if kind == "null":
            return None
        return self._string(schema, name)

    def _enum(self, options: list[Any], name: str) -> Any:
        text_stems = stems(self.values.text)
        for option in options:
            if isinstance(option, str) and stems(option) and stems(option) <= text_stems:
                return option
        return options[0]

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        out: dict[str, Any] = {}
        for prop, sub in props.items():
            # Optional properties only when the text offers a value, and never too deep.
            if prop not in required and (depth > 3 or not self._text_offers(prop, sub)):
                continue
            out[prop] = self.build(sub if isinstance(sub, dict) else {}, prop, depth + 1)
        return out

    def _text_offers(self, prop: str, sub: Any) -> bool:
        sub = _resolve(sub, self.root) if isinstance(sub, dict) else {}
        if _is_date(prop, sub) and self.values.dates:
            return True
        hints = _hints(prop, sub)
        if hints & _ID_HINTS and self.values.identifiers:
            return True
        if "email" in prop.lower() and self.values.emails:
            return True
        if _schema_type(sub) in ("number", "integer") and self.values.numbers:
            return True
        return bool({stem(w) for w in words(prop)} & stems(self.values.text))

    def _array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        count = max(1, int(schema.get("minItems", 1)))
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        return [self.build(items or {"type": "string"}, name, depth + 1) for _ in range(count)]

    def _number_near(self, name: str) -> float | None:
        """The number written next to the property's own word ("2 adults", "budget 300"),
        taken out of the values so the next property does not get it too."""
        if not name:
            return None
        for word in words(name):
            for key in {word, stem(word), IRREGULAR.get(word, word)}:
                if len(key) < 3:
                    continue
                key = re.escape(key)
                before = rf"(-?\d+(?:[.,]\d+)?)\s+(?:[a-z]+\s+)?{key}[a-z]*"
                after = rf"\b{key}[a-z]*\s*(?:of|:|=|is|at)?\s*[$€£]?\s*(-?\d+(?:[.,]\d+)?)"
                for pattern in (before, after):
                    found = re.search(pattern, self.values.text, re.IGNORECASE)
                    if found:
                        value = float(found.group(1).replace(",", "."))
                        if value in self.values.numbers:
                            self.values.numbers.remove(value)
                        return value
        return None

    def _number(self, schema: dict[str, Any], name: str) -> float:
        near = self._number_near(name)
        if near is not None:
            value = near
        else:
            value = self.values.numbers.pop(0) if self.values.numbers else 1.0
        lo = schema.get("minimum", schema.get("exclusiveMinimum"))
        hi = schema.get("maximum", schema.get("exclusiveMaximum"))
        if lo is not None and value < lo:
            value = float(lo) + (1 if "exclusiveMinimum" in schema else 0)
        if hi is not None and value > hi:
            value = float(hi) - (1 if "exclusiveMaximum" in schema else 0)
        return value

    def _string(self, schema: dict[str, Any], name: str) -> Any:
        hints = _hints(name, schema)
        fmt = schema.get("format")
        if not fmt and not schema.get("pattern") and not (hints & (_ID_HINTS | _TEXT_HINTS)):
            near = self._number_near(name)  # "2 adults": a count, even where no type says so
            if near is not None:
                count = int(near) if near == int(near) else near
                return count if "type" not in schema else str(count)
        if _is_date(name, schema):
            date = self.values.dates[0] if self.values.dates else dt.date.today().isoformat()
            return f"{date}T00:00:00Z" if fmt == "date-time" else date
        if fmt == "email" or "email" in name.lower():
            return self.values.emails[0] if self.values.emails else "someone@example.com"
        if fmt in ("uri", "url") or "url" in name.lower():
            urls = _URL.findall(self.values.text)
            return urls[0] if urls else "https://example.com/sandbox"
        if hints & _ID_HINTS and self.values.identifiers:
            return self.values.identifiers.pop(0)
        pattern = schema.get("pattern")
        if pattern:
            for candidate in [*self.values.identifiers, *self.values.dates]:
                if re.search(pattern, candidate):
                    return candidate
        if {w for w in words(name)} & _PLACE_HINTS and (
            nouns := _PROPER_NOUN.findall(self.values.text)
        ):
            return nouns[0]  # "Weather in Paris?" → city "Paris"
        if self.filler:  # a JSON answer: free text is the sandbox's own sentence
            value = self.filler
        elif hints & _TEXT_HINTS or not name:
            value = self.values.text or f"sandbox {name or 'value'}"
        elif hints & _ID_HINTS:
            value = f"{name.upper()[:3]}-0001"
        else:
            value = f"sandbox {name}"
        return self._fit_length(value, schema)

    @staticmethod
    def _fit_length(value: str, schema: dict[str, Any]) -> str:
        lo, hi = schema.get("minLength"), schema.get("maxLength")
        if lo is not None and len(value) < lo:
            value = value + "x" * (lo - len(value))
        if hi is not None and len(value) > hi:
            value = value[:hi]
        return value


def function_arguments(parameters: dict[str, Any] | None, text: str) -> dict[str, Any]:
    """Arguments for a function tool, from its parameters schema and the request text."""
    schema = parameters or {"type": "object", "properties": {}}
    builder = ValueBuilder(schema, TextValues.from_text(text), filler="")
    value = builder.build(schema)
    return value if isinstance(value, dict) else {}


def json_for_schema(schema: dict[str, Any], text: str, sentence: str) -> Any:
    """A JSON value valid against `schema`; free-text strings carry the sandbox `sentence`."""
    builder = ValueBuilder(schema, TextValues.from_text(text), filler=sentence)
    return builder.build(schema)
