"""Prometheus metrics, whichever process serves /metrics.

Three sources, because the web and the worker are separate processes:
- the database, read at scrape time by `DatabaseCollector`: turns queued and running, pending
  actions and the oldest one's age, the last turn heartbeat written by any worker, and the
  events written (the event log's id high-water mark: append-only, so it only grows);
- Redis, where the worker's end-of-turn task adds turn durations and backend errors by kind
  (`count_turns`), read back at scrape time by `RedisCollector`: every process sees the same
  counts, and they survive restarts of any one of them;
- this process: open WebSocket connections, counted by `observability.asgi` in the ASGI server
  that also serves /metrics (one gauge per ASGI process).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

import redis
from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from conversations.models import Event, PendingAction, Turn

DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
_redis: redis.Redis | None = None


def redis_client() -> redis.Redis:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _redis


def redis_key() -> str:
    # Per queue, like the tasks: two installs (or test runs) on one Redis keep their own counts.
    return f"agentstudio:metrics:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def count_turns(durations: list[tuple[str, float]], errors: list[str]) -> None:
    """Add ended turns (outcome, seconds) and backend errors (kind) to the shared counters."""
    pipe = redis_client().pipeline()
    key = redis_key()
    for outcome, seconds in durations:
        labels = json.dumps({"outcome": outcome})
        pipe.hincrbyfloat(key, f"duration_sum|{labels}", seconds)
        pipe.hincrby(key, f"duration_count|{labels}", 1)
        bucket = next((b for b in DURATION_BUCKETS if seconds <= b), "+Inf")
        pipe.hincrby(key, f"duration_bucket|{labels}|{bucket}", 1)
    for kind in errors:
        pipe.hincrby(key, f"backend_errors|{json.dumps({'kind': kind})}", 1)
    pipe.execute()


def count_export(result: str) -> None:
    redis_client().hincrby(redis_key(), f"trace_exports|{json.dumps({'result': result})}", 1)


class DatabaseCollector:
    def collect(self) -> Iterable[Metric]:
        now = timezone.now()
        turns = GaugeMetricFamily("agentstudio_turns", "Turns by state.", labels=["state"])
        for state in (Turn.State.QUEUED, Turn.State.RUNNING):
            turns.add_metric([state], Turn.objects.filter(state=state).count())
        yield turns
        waiting = PendingAction.objects.filter(status=PendingAction.State.PENDING)
        oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
        yield GaugeMetricFamily(
            "agentstudio_pending_actions_waiting",
            "Pending actions waiting for a person.",
            value=waiting.count(),
        )
        yield GaugeMetricFamily(
            "agentstudio_pending_action_oldest_age_seconds",
            "How long the oldest waiting pending action has waited (0 when none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        beats = Turn.objects.aggregate(last=Max("heartbeat_at"))["last"]
        yield GaugeMetricFamily(
            "agentstudio_worker_last_heartbeat_timestamp_seconds",
            "When a worker last beat for a turn it runs (Unix time; 0 if never).",
            value=beats.timestamp() if beats else 0.0,
        )
        stalest = Turn.objects.filter(state=Turn.State.RUNNING).aggregate(s=Min("heartbeat_at"))
        yield GaugeMetricFamily(
            "agentstudio_running_turn_heartbeat_max_age_seconds",
            "Age of the oldest heartbeat among running turns (0 when none runs).",
            value=(now - stalest["s"]).total_seconds() if stalest["s"] else 0.0,
        )
        last_id = Event.objects.aggregate(m=Max("id"))["m"] or 0
        yield CounterMetricFamily(
            "agentstudio_events", "Events written to the conversation logs.", value=last_id
        )


class RedisCollector:
    def collect(self) -> Iterable[Metric]:
        raw = {k.decode(): float(v) for k, v in redis_client().hgetall(redis_key()).items()}
        errors = CounterMetricFamily(
            "agentstudio_backend_errors", "Failed turns by kind of error.", labels=["kind"]
        )
        exports = CounterMetricFamily(
            "agentstudio_trace_exports", "OTLP trace exports by result.", labels=["result"]
        )
        sums: dict[str, float] = defaultdict(float)
        counts: dict[str, float] = defaultdict(float)
        buckets: dict[str, dict[str, float]] = defaultdict(dict)
        for field, value in raw.items():
            name, labels, *rest = field.split("|")
            label = json.loads(labels)
            if name == "backend_errors":
                errors.add_metric([label["kind"]], value)
            elif name == "trace_exports":
                exports.add_metric([label["result"]], value)
            elif name == "duration_sum":
                sums[label["outcome"]] = value
            elif name == "duration_count":
                counts[label["outcome"]] = value
            elif name == "duration_bucket":
                buckets[label["outcome"]][rest[0]] = value
        yield errors
        yield exports
        histogram = HistogramMetricFamily(
            "agentstudio_turn_duration_seconds",
            "Turns from running to how they ended, by outcome.",
            labels=["outcome"],
        )
        for outcome in counts:
            cumulative, points = 0.0, []
            for bound in [*map(str, DURATION_BUCKETS), "+Inf"]:
                cumulative += buckets[outcome].get(bound, 0.0)
                points.append((bound, cumulative))
            histogram.add_metric([outcome], points, sum_value=sums[outcome])
        yield histogram


registry = CollectorRegistry(auto_describe=False)
registry.register(DatabaseCollector())
registry.register(RedisCollector())
websocket_connections = Gauge(
    "agentstudio_websocket_connections",
    "Open WebSocket connections in this ASGI server process.",
    registry=registry,
)


def render() -> bytes:
    return generate_latest(registry)
