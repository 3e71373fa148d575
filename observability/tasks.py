"""Celery tasks: thin, idempotent, taking ids. The end-of-turn hook sends TURN_ENDED_TASK by
name (conversations/queue.py), so nothing below imports this app."""

from __future__ import annotations

import logging

from celery import shared_task

from observability import services

logger = logging.getLogger(__name__)
TURN_ENDED_TASK = "observability.turn_ended"


@shared_task(bind=True, name=TURN_ENDED_TASK, ignore_result=True, max_retries=10)
def turn_ended(self, conversation_id: str, from_seq: int | None = None) -> str:
    """Count the turns that ended, then export the trace (off without an endpoint)."""
    try:
        services.turns_observe(conversation_id=conversation_id)
    except Exception:  # Redis away: the retry task counts them later (observed_seq kept)
        logger.warning("could not count the turns of %s", conversation_id, exc_info=True)
    outcome = services.trace_export(conversation_id=conversation_id, from_seq=from_seq)
    if outcome == "busy" and self.request.called_directly is False:
        # Another export of this conversation is on its way: send ours once it is done.
        raise self.retry(countdown=2)
    return outcome


@shared_task(name="observability.retry_exports", ignore_result=True)
def retry_exports() -> dict[str, str]:
    """Catch up conversations whose export failed or whose end-of-turn task never ran. Stops
    at the first failed export: the endpoint is down, the rest would only wait for it too."""
    outcome: dict[str, str] = {}
    for conversation_id in services.conversations_behind():
        result = turn_ended(str(conversation_id))
        outcome[str(conversation_id)] = result
        if result.startswith("failed"):
            break
    return outcome
