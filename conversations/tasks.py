"""Celery tasks: thin, idempotent, taking ids. The logic lives in conversations.engine.

Nothing imports this module but Celery's autodiscovery: turns are sent by task name through
`conversations.queue`.
"""

from celery import shared_task
from django.conf import settings

from conversations.engine import lifecycle, recovery
from conversations.queue import RUN_TURN_TASK, enqueue_turn


@shared_task(name=RUN_TURN_TASK, ignore_result=True)
def run_turn(turn_id: str) -> None:
    # A redelivered or duplicate task finds the turn already claimed and does nothing.
    lifecycle.run_turn_chain(turn_id)


@shared_task(name="conversations.recover_stale_turns", ignore_result=True)
def recover_stale_turns(stale_after_s: float | None = None) -> dict[str, str]:
    """Find turns whose worker died (no heartbeat) and reconcile them from the backend."""
    limit = stale_after_s if stale_after_s is not None else settings.TURN_STALE_AFTER_S
    outcome = {
        str(turn.pk): recovery.turn_recover(turn.pk, limit) for turn in recovery.stale_turns(limit)
    }
    # A queued turn nobody claimed (its message lost with a broker restart) is sent again;
    # the claim's compare-and-set makes a duplicate harmless.
    for turn_id in recovery.forgotten_turns(limit):
        enqueue_turn(turn_id)
        outcome[str(turn_id)] = "re-enqueued"
    return outcome
