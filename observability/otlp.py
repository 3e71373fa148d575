"""SpanRecords onto the wire: the official SDK's ReadableSpan and OTLP/HTTP protobuf exporter."""

from __future__ import annotations

from django.conf import settings
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.util.re import parse_env_headers

from observability.spans import SpanRecord

SCOPE = InstrumentationScope("agentstudio.observability", "1")
KINDS = {"client": SpanKind.CLIENT, "internal": SpanKind.INTERNAL}


def enabled() -> bool:
    return bool(settings.OTEL_TRACES_ENDPOINT)


def _ns(record_time) -> int:
    return int(record_time.timestamp() * 1_000_000_000)


def to_readable(record: SpanRecord, resource: Resource) -> ReadableSpan:
    def context(span_id: int) -> SpanContext:
        return SpanContext(record.trace_id, span_id, False, TraceFlags(TraceFlags.SAMPLED))

    status = (
        Status(StatusCode.ERROR, record.error_message or record.error_type)
        if record.error_type
        else Status(StatusCode.UNSET)
    )
    return ReadableSpan(
        name=record.name,
        context=context(record.span_id),
        parent=context(record.parent_id) if record.parent_id else None,
        resource=resource,
        attributes=record.attributes,
        kind=KINDS[record.kind],
        status=status,
        start_time=_ns(record.start),
        end_time=_ns(record.end),
        instrumentation_scope=SCOPE,
    )


def export(records: list[SpanRecord]) -> str:
    """Send the spans; returns "" on success, else what went wrong. Never raises."""
    if not records:
        return ""
    resource = Resource.create({"service.name": settings.OTEL_SERVICE_NAME})
    exporter = OTLPSpanExporter(
        endpoint=settings.OTEL_TRACES_ENDPOINT,
        headers=parse_env_headers(settings.OTEL_EXPORTER_OTLP_HEADERS, liberal=True),
        timeout=settings.TRACE_EXPORT_TIMEOUT_S,
    )
    try:
        result = exporter.export([to_readable(r, resource) for r in records])
    except Exception as exc:  # the exporter should not raise; a run must never fail for it
        return f"{type(exc).__name__}: {exc}"
    finally:
        exporter.shutdown()
    return "" if result == SpanExportResult.SUCCESS else "the OTLP endpoint refused or is down"
