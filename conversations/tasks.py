"""Celery tasks: thin, idempotent, taking ids. The logic lives in conversations.turns."""

from celery import shared_task
from django.conf import settings

from conversations import idempotency, services, turns


@shared_task(name="conversations.run_turn", ignore_result=True)
def run_turn(turn_id: str) -> None:
    # A redelivered or duplicate task finds the turn already claimed and does nothing.
    turns.run_turn_chain(turn_id)


@shared_task(name="conversations.recover_stale_turns", ignore_result=True)
def recover_stale_turns(stale_after_s: float | None = None) -> dict[str, str]:
    """Find turns whose worker died (no heartbeat) and reconcile them from the backend."""
    limit = stale_after_s if stale_after_s is not None else settings.TURN_STALE_AFTER_S
    outcome = {
        str(turn.pk): turns.turn_recover(turn.pk, limit) for turn in turns.stale_turns(limit)
    }
    # A queued turn nobody claimed (its message lost with a broker restart, or never accepted
    # while the broker was down) is sent again; the claim's compare-and-set makes a duplicate
    # harmless.
    for turn_id in turns.forgotten_turns(limit):
        sent = services.turn_send(turn_id, resend=True)
        outcome[str(turn_id)] = "re-enqueued" if sent else "enqueue failed"
    return outcome


@shared_task(name="conversations.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Key answers older than IDEMPOTENCY_TTL_HOURS."""
    return idempotency.idempotency_purge_expired()
