from celery import shared_task

from audit.services import audit_purge_expired


@shared_task(name="audit.purge_expired")
def purge_expired() -> int:
    """Apply AUDIT_RETENTION_DAYS (beat schedule in agentstudio/celery.py)."""
    return audit_purge_expired()
