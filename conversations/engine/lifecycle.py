"""A turn's life: claim it, beat for it, sync the graph, stream, then decide how it ends
(cancelled, failed, completed, or handed to the follow-ups), and run the chain of turns that
follow without a person.

The network is only ever touched outside transactions; every write is a service call.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from uuid import UUID

from django.conf import settings
from django.db import connection

from conversations.engine import branching, files, followups, local
from conversations.engine.recorder import TurnRecorder
from conversations.engine.stream import DROPPED_STREAM, stream_into
from conversations.models import Conversation, Entry, HandoffExecution, Status, Turn
from conversations.services import costs
from conversations.services.runtime import turn_stop_at_max_turns
from conversations.services.status import conversation_set_status
from conversations.services.turns import (
    conversation_add_usage,
    turn_cancel_unstarted,
    turn_cancelled,
    turn_claim,
    turn_complete,
    turn_fail,
    turn_heartbeat,
    turn_record_retry,
)
from integrations.mistral import backend
from integrations.mistral.sync import graph_sync

logger = logging.getLogger(__name__)
HEARTBEAT_S = settings.TURN_HEARTBEAT_S


def turn_execute(turn_id: UUID | str) -> str | None:
    """Run a queued turn. Returns the id of a follow-up turn to run right away, if any."""
    turn = turn_claim(turn_id=turn_id)
    if turn is None:
        return None  # already run, running elsewhere, or cancelled: a redelivery does nothing
    conversation = turn.conversation
    # A spent budget holds the turn back (paused) until an admin raises it.
    may_run = conversation.status in (Status.QUEUED, Status.RUNNING)
    reason = costs.budget_reached(conversation) if may_run else ""
    if reason and not conversation.cancel_requested:
        costs.turn_pause_for_budget(conversation=conversation, turn=turn, reason=reason)
        return None
    if conversation.status == Status.QUEUED:
        conversation_set_status(
            conversation=conversation, expected=(Status.QUEUED,), status=Status.RUNNING
        )
    if conversation.status != Status.RUNNING or conversation.cancel_requested:
        turn_cancel_unstarted(conversation=conversation, turn=turn)
        return None
    with heartbeat(turn.pk):
        followups.run_approved_calls(turn)
        return _execute(conversation, turn)


@contextlib.contextmanager
def heartbeat(turn_id: UUID) -> Iterator[None]:
    """Beat for the turn's whole life, not only while events flow: waiting on the sync lock,
    retries or a slow function must not look like a dead worker to the recovery job."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_S):
                try:
                    turn_heartbeat(turn_id=turn_id)
                except Exception:  # a missed beat is retried; the turn itself goes on
                    logger.warning("heartbeat of turn %s failed", turn_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{turn_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def _execute_local(conversation: Conversation, turn: Turn) -> str | None:
    """The local runtime: the worker runs the handoff loop on chat completions (engine.local)."""
    try:
        recorder, run = local.run_local_turn(conversation, turn)
    except backend.BackendError as exc:
        turn_fail(conversation=conversation, turn=turn, error=str(exc))
        return None
    except Exception as exc:
        logger.exception("local turn %s failed", turn.pk)
        error = f"The turn failed unexpectedly: {type(exc).__name__}: {exc}"
        turn_fail(conversation=conversation, turn=turn, error=error)
        return None
    if run.stopped_at_max_turns and recorder.done and not recorder.error:
        recorder.flush(final=True)
        if recorder.cancelled:
            turn_cancelled(conversation=conversation, turn=turn)
            return None
        conversation_add_usage(conversation=conversation, usage=recorder.usage or {})
        costs.turn_usage_record(conversation=conversation, turn=turn, usage=recorder.usage or {})
        turn_stop_at_max_turns(conversation=conversation, turn=turn, max_turns=run.max_turns)
        return None
    return finish_turn(recorder)


def _execute(conversation: Conversation, turn: Turn) -> str | None:
    if conversation.runtime == "local":
        return _execute_local(conversation, turn)
    recorder: TurnRecorder | None = None
    retries: list[backend.RetryNotice] = []
    keep_retrying = True

    def on_retry(notice: backend.RetryNotice) -> bool:
        nonlocal keep_retrying
        retries.append(notice)
        keep_retrying = turn_record_retry(
            conversation=conversation,
            notice={
                "attempt": notice.attempt,
                "max_attempts": notice.max_attempts,
                "status": notice.status,
                "delay_ms": round(notice.delay_s * 1000),
                "reason": notice.reason,
            },
        )
        return keep_retrying

    try:
        remotes = graph_sync(conversation.graph)
        agents_by_remote = {r.remote_id: r.agent for r in remotes.values()}
        recorder = TurnRecorder(conversation, turn, agents_by_remote)
        entry_agent = conversation.entry_agent_id or conversation.active_agent_id
        metadata = {**conversation.metadata, "agentstudio_conversation": str(conversation.pk)}
        branching.record_versions(conversation, turn, remotes)
        stream_args = {
            "remote_conversation_id": conversation.remote_id,
            **branching.stream_arguments(conversation, turn, remotes),
        }
        with backend.conversation_stream(
            agent_id=remotes[entry_agent].remote_id,
            inputs=turn.inputs,
            handoff_execution=conversation.handoff_execution,
            metadata=metadata,
            on_retry=on_retry,
            **stream_args,
        ) as events:
            stream_into(recorder, events)
    except backend.BackendError as exc:
        if not keep_retrying:  # cancelled while the worker waited to retry
            turn_cancelled(conversation=conversation, turn=turn)
            return None
        error = str(exc)
        if retries:
            error += f" (gave up after {len(retries)} retries)"
        turn_fail(conversation=conversation, turn=turn, error=error)
        return None
    except Exception as exc:
        logger.exception("turn %s failed", turn.pk)
        error = f"The turn failed unexpectedly: {type(exc).__name__}: {exc}"
        turn_fail(conversation=conversation, turn=turn, error=error)
        return None
    return finish_turn(recorder)


def finish_turn(recorder: TurnRecorder) -> str | None:
    """End a recorded turn. Returns the id of a follow-up turn to run right away, if any."""
    conversation, turn = recorder.conversation, recorder.turn
    recorder.flush(final=True)
    if recorder.cancelled:
        turn_cancelled(conversation=conversation, turn=turn)
        return None
    failure = recorder.error or ("" if recorder.done else DROPPED_STREAM)
    if not failure:
        try:
            files.download_files(recorder)
        except backend.BackendError as exc:
            failure = f"A generated file could not be downloaded: {exc}"
    if failure:
        turn_fail(conversation=conversation, turn=turn, error=failure)
        return None
    conversation_add_usage(conversation=conversation, usage=recorder.usage or {})
    costs.turn_usage_record(conversation=conversation, turn=turn, usage=recorder.usage or {})
    outputs = recorder.output_entries()
    calls = [e for e in outputs if e.type == Entry.Type.FUNCTION_CALL]
    if calls:
        return followups.handle_function_calls(recorder, calls)
    last = outputs[-1] if outputs else None
    if (
        conversation.handoff_execution == HandoffExecution.CLIENT
        and last is not None
        and last.type == Entry.Type.AGENT_HANDOFF
    ):
        followups.pause_for_handoff(recorder, last)
        return None
    turn_complete(conversation=conversation, turn=turn)
    return None


def run_turn_chain(turn_id: UUID | str) -> None:
    """Run a turn and the turns that follow it without a person (answered function calls)."""
    next_id: str | None = str(turn_id)
    while next_id:
        next_id = turn_execute(next_id)
