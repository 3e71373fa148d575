import os

from celery import Celery
from celery.signals import beat_embedded_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.dev")

app = Celery("agentstudio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "recover-stale-turns": {
        "task": "conversations.recover_stale_turns",
        "schedule": float(os.environ.get("TURN_RECOVERY_INTERVAL_S", "30")),
    },
    # Open orchestration runs whose pass was lost (orchestrations.tasks).
    "recover-orchestration-runs": {
        "task": "orchestrations.recover_runs",
        "schedule": float(os.environ.get("ORCHESTRATION_RECOVERY_INTERVAL_S", "30")),
    },
    # Forgets Idempotency-Key answers older than IDEMPOTENCY_TTL_HOURS.
    "idempotency-purge-expired": {
        "task": "conversations.purge_idempotency_keys",
        "schedule": 3600.0,
    },
    # Failed trace exports and end-of-turn tasks that never ran (observability).
    "observability-retry-exports": {
        "task": "observability.retry_exports",
        "schedule": float(os.environ.get("TRACE_EXPORT_RETRY_INTERVAL_S", "60")),
    },
    # Applies AUDIT_RETENTION_DAYS; does nothing while retention is "forever".
    "audit-purge-expired": {
        "task": "audit.purge_expired",
        "schedule": float(os.environ.get("AUDIT_PURGE_INTERVAL_S", str(24 * 3600))),
    },
}


@app.task(name="agentstudio.ping")
def ping() -> str:
    """Answered by any live worker: /healthz uses it to prove one is consuming the queue."""
    return "pong"


@worker_ready.connect
def warm_backend_client(**kwargs) -> None:
    """Build the backend client and its stream loop before the first turn arrives, not
    during it."""
    from integrations.mistral import aio, backend

    backend.client()
    aio.warm()


@beat_embedded_init.connect
def beat_dies_with_its_worker(**kwargs) -> None:
    """`worker --beat` runs beat as a child process: a worker killed without stopping it (SIGKILL,
    the OOM killer) must not leave it scheduling on its own, retrying a dead Redis forever."""
    from agentstudio.supervisor import die_with_parent

    die_with_parent()
