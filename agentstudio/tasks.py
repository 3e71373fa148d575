from celery import shared_task

from agentstudio.system_events import publish_system_notice


@shared_task(name="agentstudio.broadcast_notice")
def broadcast_notice(message: str) -> None:
    """Publish a notice to every connected staff browser."""
    publish_system_notice({"message": message})
