"""Celery tasks: thin, idempotent, taking ids. The logic lives in conversations.engine.

Nothing imports this module but Celery's autodiscovery: turns are sent by task name through
`conversations.queue`.
"""

from celery import shared_task
from django.conf import settings

from conversations import idempotency, queue
from conversations.engine import lifecycle, recovery
from conversations.queue import RUN_TURN_TASK


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
    # A queued turn nobody claimed (its message lost with a broker restart, or never accepted
    # while the broker was down) is sent again; the claim's compare-and-set makes a duplicate
    # harmless.
    for turn_id in recovery.forgotten_turns(limit):
        sent = queue.send_turn(turn_id, resend=True)
        outcome[str(turn_id)] = "re-enqueued" if sent else "enqueue failed"
    return outcome


@shared_task(name="conversations.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Key answers older than IDEMPOTENCY_TTL_HOURS."""
    return idempotency.idempotency_purge_expired()
