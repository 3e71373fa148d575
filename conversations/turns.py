"""Running one turn: stream from the backend, log every event, keep the entries, then decide what
comes next (pending actions, an automatic follow-up turn, or the end). Also crash recovery.

The network is only ever touched outside transactions; every write is a short transaction.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent
from conversations import backend, flusher, functions
from conversations.events import append_events, publish_feed
from conversations.models import (
    OWN_EVENT_TYPES,
    Conversation,
    Entry,
    Event,
    GeneratedFile,
    PendingAction,
    Status,
    Turn,
)
from conversations.services import (
    _cancel_pending,
    _enqueue_turn,
    _next_position,
    conversation_set_status,
)
from conversations.sync import graph_sync, local_agents_by_remote_id

logger = logging.getLogger(__name__)

# Events are written in small batches: at most this long after the first one of a batch.
FLUSH_WINDOW_S = 0.01
FLUSH_MAX_EVENTS = 64
# Entries (a materialised view of the events) are rewritten at most this often mid-turn.
ENTRY_WRITE_S = 0.25
HEARTBEAT_S = settings.TURN_HEARTBEAT_S
DROPPED_STREAM = (
    "The backend's stream ended before the turn was complete (the connection dropped). "
    "Send a message to try again."
)
OUTPUT_TYPES = {
    Entry.Type.MESSAGE_OUTPUT,
    Entry.Type.TOOL_EXECUTION,
    Entry.Type.FUNCTION_CALL,
    Entry.Type.AGENT_HANDOFF,
}


@dataclass
class TurnRecorder:
    conversation: Conversation
    turn: Turn
    agents_by_remote: dict[str, Agent]
    buffer: list[tuple[str, dict]] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)  # by the backend's entry id
    order: list[str] = field(default_factory=list)
    dirty: set[str] = field(default_factory=set)
    files: list[tuple[dict, str]] = field(default_factory=list)
    usage: dict | None = None
    done: bool = False
    error: str = ""
    cancelled: bool = False
    remote_id_changed: bool = False
    agent_changed: bool = False
    last_cancel_check: float = 0.0
    last_entry_write: float = 0.0
    last_batch: flusher.Batch | None = None
    next_position: int = 0

    def __post_init__(self) -> None:
        self.next_position = _next_position(self.conversation)

    # -- applying events -------------------------------------------------------------------
    def _agent(self, remote_agent_id: str | None) -> Agent | None:
        if not remote_agent_id:
            return self.conversation.active_agent
        return self.agents_by_remote.get(remote_agent_id, self.conversation.active_agent)

    def _entry(self, remote_id: str, kind: str, agent: Agent | None) -> Entry:
        entry = self.entries.get(remote_id)
        if entry is None:
            entry = Entry(
                conversation=self.conversation,
                turn=self.turn,
                position=self.next_position,
                type=kind,
                remote_id=remote_id,
                agent=agent,
                role="assistant" if kind == Entry.Type.MESSAGE_OUTPUT else "",
                data={},
            )
            self.next_position += 1
            self.entries[remote_id] = entry
            self.order.append(remote_id)
        self.dirty.add(remote_id)
        return entry

    def add(self, kind: str, data: dict[str, Any]) -> None:
        self.buffer.append((kind, data))
        self.apply(kind, data)

    def apply(self, kind: str, data: dict[str, Any]) -> None:
        """Update the entries and conversation state for one stream event (no logging)."""
        if kind == "conversation.response.started":
            remote = data.get("conversation_id") or ""
            if remote and remote != self.conversation.remote_id:
                self.conversation.remote_id = remote
                self.remote_id_changed = True
        elif kind == "message.output.delta":
            entry = self._entry(
                data["id"], Entry.Type.MESSAGE_OUTPUT, self._agent(data.get("agent_id"))
            )
            chunks = entry.data.setdefault("chunks", [])
            content = data.get("content")
            if isinstance(content, str):
                entry.text += content
                if chunks and chunks[-1].get("type") == "text":
                    chunks[-1]["text"] += content
                else:
                    chunks.append({"type": "text", "text": content})
            elif isinstance(content, dict):
                chunk = {k: v for k, v in content.items() if v is not None}
                chunks.append(chunk)
                if chunk.get("type") == "tool_file":
                    self.files.append((chunk, data["id"]))
                elif chunk.get("type") == "text":
                    entry.text += chunk.get("text", "")
        elif kind == "tool.execution.started":
            entry = self._entry(
                data["id"], Entry.Type.TOOL_EXECUTION, self._agent(data.get("agent_id"))
            )
            entry.data.update(name=data.get("name"), arguments=data.get("arguments") or "")
        elif kind == "tool.execution.delta":
            entry = self._entry(
                data["id"], Entry.Type.TOOL_EXECUTION, self._agent(data.get("agent_id"))
            )
            entry.data["arguments"] = entry.data.get("arguments", "") + (
                data.get("arguments") or ""
            )
            entry.data.setdefault("name", data.get("name"))
        elif kind == "tool.execution.done":
            entry = self._entry(
                data["id"], Entry.Type.TOOL_EXECUTION, self._agent(data.get("agent_id"))
            )
            entry.data.setdefault("name", data.get("name"))
            entry.data["info"] = data.get("info") or {}
            entry.data["done"] = True
        elif kind == "agent.handoff.started":
            entry = self._entry(
                data["id"], Entry.Type.AGENT_HANDOFF, self._agent(data.get("previous_agent_id"))
            )
            entry.data.update(
                previous_agent_id=data.get("previous_agent_id"),
                previous_agent_name=data.get("previous_agent_name"),
            )
        elif kind == "agent.handoff.done":
            entry = self._entry(data["id"], Entry.Type.AGENT_HANDOFF, None)
            entry.data.update(
                next_agent_id=data.get("next_agent_id"), next_agent_name=data.get("next_agent_name")
            )
            nxt = self.agents_by_remote.get(data.get("next_agent_id") or "")
            if nxt is not None:
                entry.data["next_agent"] = str(nxt.pk)
                if entry.agent is None:
                    entry.agent = self.conversation.active_agent
                self.conversation.active_agent = nxt
                self.agent_changed = True
        elif kind == "function.call.delta":
            entry = self._entry(
                data["id"], Entry.Type.FUNCTION_CALL, self._agent(data.get("agent_id"))
            )
            entry.data["name"] = data.get("name") or entry.data.get("name")
            entry.data["tool_call_id"] = data.get("tool_call_id") or entry.data.get("tool_call_id")
            entry.data["arguments"] = entry.data.get("arguments", "") + (
                data.get("arguments") or ""
            )
        elif kind == "conversation.response.done":
            self.usage = data.get("usage") or {}
            self.done = True
        elif kind == "conversation.response.error":
            self.error = (
                f"The backend reported an error: {data.get('message')} (code {data.get('code')})"
            )

    # -- writing ------------------------------------------------------------------------------
    def flush(self, *, final: bool = False) -> None:
        """Hand buffered events (and, at most every ENTRY_WRITE_S, entry snapshots) to the
        process's group-commit writer. `final` waits until everything is written."""
        now = time.monotonic()
        # Heartbeats are the `_heartbeat` thread's; this interval only paces the cancel check
        # on a stream that sends nothing.
        check_cancel = now - self.last_cancel_check >= HEARTBEAT_S
        pending = self.dirty or self.remote_id_changed or self.agent_changed
        write_entries = pending and (final or now - self.last_entry_write >= ENTRY_WRITE_S)
        if not self.buffer and not check_cancel and not write_entries and not final:
            return
        fields: dict[str, Any] = {}
        snapshots: list[Entry] = []
        if write_entries:
            snapshots = [_snapshot(self.entries[r]) for r in self.dirty]
            if self.remote_id_changed:
                fields["remote_id"] = self.conversation.remote_id
            if self.agent_changed:
                fields["active_agent_id"] = self.conversation.active_agent_id
            self.dirty = set()
            self.remote_id_changed = self.agent_changed = False
            self.last_entry_write = now
        if check_cancel:
            self.last_cancel_check = now
        batch = flusher.submit(
            flusher.Batch(
                conversation_id=self.conversation.pk,
                events=self.buffer,
                entries=snapshots,
                conversation_fields=fields,
            ),
            wait=final,
        )
        self.buffer = []
        # The flag comes back with a written batch; the previous one's is good enough mid-stream.
        previous, self.last_batch = self.last_batch, batch
        self.cancelled = self.cancelled or bool(previous and previous.cancel_requested)
        if previous is not None and previous.error is not None:
            raise previous.error  # the log must not go on with a hole in it
        if (final or (check_cancel and not batch.events)) and not self.cancelled:
            # No events, no flag from the writer: ask, so Cancel works on a quiet stream too.
            self.cancelled = Conversation.objects.filter(
                pk=self.conversation.pk, cancel_requested=True
            ).exists()

    def output_entries(self) -> list[Entry]:
        return [self.entries[r] for r in self.order if self.entries[r].type in OUTPUT_TYPES]


# -- the turn ---------------------------------------------------------------------------------
def _snapshot(entry: Entry) -> Entry:
    """A copy the writer thread can save while this thread keeps changing the original."""
    return Entry(
        id=entry.pk,
        conversation_id=entry.conversation_id,
        turn_id=entry.turn_id,
        position=entry.position,
        type=entry.type,
        remote_id=entry.remote_id,
        agent_id=entry.agent_id,
        role=entry.role,
        text=entry.text,
        data=copy.deepcopy(entry.data),
    )


def _claim(turn_id: UUID | str) -> Turn | None:
    claimed = Turn.objects.filter(pk=turn_id, state=Turn.State.QUEUED).update(
        state=Turn.State.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now()
    )
    if not claimed:
        return None
    # Where this turn's events begin in the log: recovery replays them from here.
    Turn.objects.filter(pk=turn_id).update(
        start_seq=Subquery(
            Conversation.objects.filter(pk=OuterRef("conversation_id")).values("last_seq")[:1]
        )
    )
    return Turn.objects.select_related(
        "conversation",
        "conversation__graph",
        "conversation__active_agent",
        "conversation__entry_agent",
    ).get(pk=turn_id)


def _stream_into(recorder: TurnRecorder, stream_events) -> None:
    """Read the stream in a thread so batches are written on time even when the stream pauses."""
    inbox: queue.Queue = queue.Queue(maxsize=1000)
    stop = threading.Event()
    END = object()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                inbox.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False  # the turn is over: drop it and let the stream close

    def read() -> None:
        try:
            for event in stream_events:
                if not hand_over(event):
                    break
        except Exception as exc:  # handed to the main loop, which decides
            hand_over(exc)
        finally:
            try:
                stream_events.close()  # closes the HTTP stream, even when we left early
            finally:
                hand_over(END)

    reader = threading.Thread(target=read, name=f"turn-{recorder.turn.pk}", daemon=True)
    reader.start()
    deadline: float | None = None
    try:
        while True:
            timeout = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = inbox.get(timeout=timeout)
            except queue.Empty:
                recorder.flush()
                deadline = None
                if recorder.cancelled:
                    return
                continue
            if item is END:
                return
            if isinstance(item, Exception):
                raise backend.BackendError(f"{DROPPED_STREAM} Detail: {item}") from item
            recorder.add(item.type, item.data)
            if deadline is None:
                deadline = time.monotonic() + FLUSH_WINDOW_S
            if len(recorder.buffer) >= FLUSH_MAX_EVENTS or time.monotonic() >= deadline:
                recorder.flush()
                deadline = None
                if recorder.cancelled:
                    return
    finally:
        stop.set()
        recorder.flush(final=True)


def turn_execute(turn_id: UUID | str) -> str | None:
    """Run a queued turn. Returns the id of a follow-up turn to run right away, if any."""
    turn = _claim(turn_id)
    if turn is None:
        return None  # already run, running elsewhere, or cancelled: a redelivery does nothing
    conversation = turn.conversation
    if conversation.status == Status.QUEUED:
        conversation_set_status(
            conversation=conversation, expected=(Status.QUEUED,), status=Status.RUNNING
        )
    if conversation.status != Status.RUNNING or conversation.cancel_requested:
        with transaction.atomic():
            Turn.objects.filter(pk=turn.pk).update(
                state=Turn.State.CANCELLED, finished_at=timezone.now()
            )
            # Cancelled between turns (e.g. while a registered function ran): end it here.
            conversation_set_status(
                conversation=conversation,
                expected=(Status.RUNNING, Status.QUEUED),
                status=Status.CANCELLED,
            )
            _cancel_pending(conversation)
        return None
    with _heartbeat(turn.pk):
        return _execute(conversation, turn)


@contextlib.contextmanager
def _heartbeat(turn_id: UUID) -> Iterator[None]:
    """Beat for the turn's whole life, not only while events flow: waiting on the sync lock,
    retries or a slow function must not look like a dead worker to the recovery job."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_S):
                try:
                    Turn.objects.filter(pk=turn_id, state=Turn.State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
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


def _execute(conversation: Conversation, turn: Turn) -> str | None:
    recorder: TurnRecorder | None = None
    try:
        remotes = graph_sync(conversation.graph)
        agents_by_remote = {r.remote_id: r.agent for r in remotes.values()}
        for agent in Agent.objects.filter(pk__in=[r.agent_id for r in remotes.values()]):
            remotes[agent.pk].agent = agent
            agents_by_remote[remotes[agent.pk].remote_id] = agent
        recorder = TurnRecorder(conversation, turn, agents_by_remote)
        entry_agent = conversation.entry_agent_id or conversation.active_agent_id
        metadata = {**conversation.metadata, "agentstudio_conversation": str(conversation.pk)}
        with backend.conversation_stream(
            remote_conversation_id=conversation.remote_id,
            agent_id=remotes[entry_agent].remote_id,
            inputs=turn.inputs,
            handoff_execution=conversation.handoff_execution,
            metadata=metadata,
        ) as events:
            _stream_into(recorder, events)
    except backend.BackendError as exc:
        return _fail(conversation, turn, str(exc))
    except Exception as exc:
        logger.exception("turn %s failed", turn.pk)
        return _fail(
            conversation, turn, f"The turn failed unexpectedly: {type(exc).__name__}: {exc}"
        )
    return finish_turn(recorder)


def finish_turn(recorder: TurnRecorder) -> str | None:
    conversation, turn = recorder.conversation, recorder.turn
    recorder.flush(final=True)
    if recorder.cancelled:
        with transaction.atomic():
            Turn.objects.filter(pk=turn.pk).update(
                state=Turn.State.CANCELLED, finished_at=timezone.now()
            )
            conversation_set_status(
                conversation=conversation, expected=(Status.RUNNING,), status=Status.CANCELLED
            )
        return None
    if recorder.error:
        return _fail(conversation, turn, recorder.error)
    if not recorder.done:
        return _fail(conversation, turn, DROPPED_STREAM)
    try:
        _download_files(recorder)
    except backend.BackendError as exc:
        return _fail(conversation, turn, f"A generated file could not be downloaded: {exc}")
    usage = recorder.usage or {}
    Conversation.objects.filter(pk=conversation.pk).update(
        prompt_tokens=F("prompt_tokens") + int(usage.get("prompt_tokens") or 0),
        completion_tokens=F("completion_tokens") + int(usage.get("completion_tokens") or 0),
        total_tokens=F("total_tokens") + int(usage.get("total_tokens") or 0),
    )
    outputs = recorder.output_entries()
    calls = [e for e in outputs if e.type == Entry.Type.FUNCTION_CALL]
    if calls:
        return _handle_function_calls(recorder, calls)
    last = outputs[-1] if outputs else None
    if (
        conversation.handoff_execution == "client"
        and last is not None
        and last.type == Entry.Type.AGENT_HANDOFF
    ):
        return _pause_for_handoff(recorder, last)
    with transaction.atomic():
        Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE, finished_at=timezone.now())
        conversation_set_status(
            conversation=conversation, expected=(Status.RUNNING,), status=Status.COMPLETED
        )
    return None


def _fail(conversation: Conversation, turn: Turn, error: str) -> None:
    with transaction.atomic():
        Turn.objects.filter(pk=turn.pk).update(state=Turn.State.FAILED, finished_at=timezone.now())
        # Half-written outputs of the failed turn go; the event log keeps what was seen.
        Entry.objects.filter(turn=turn, type__in=OUTPUT_TYPES).delete()
        _cancel_pending(conversation)
        conversation_set_status(
            conversation=conversation,
            expected=(Status.RUNNING, Status.QUEUED),
            status=Status.FAILED,
            error=error,
        )
    return None


def _download_files(recorder: TurnRecorder) -> None:
    conversation = recorder.conversation
    for chunk, entry_remote_id in recorder.files:
        file_id = chunk.get("file_id")
        if (
            not file_id
            or GeneratedFile.objects.filter(conversation=conversation, remote_id=file_id).exists()
        ):
            continue
        content, meta = backend.file_download(file_id)
        entry = recorder.entries.get(entry_remote_id)
        name = chunk.get("file_name") or meta.get("filename") or file_id
        file_type = chunk.get("file_type") or ""
        if file_type and not name.endswith(f".{file_type}"):
            name = f"{name}.{file_type}"
        mime = meta.get("mimetype") or (
            "image/png" if file_type == "png" else "application/octet-stream"
        )
        with transaction.atomic():
            generated = GeneratedFile(
                conversation=conversation,
                entry=entry if entry is not None and entry.pk else None,
                agent=entry.agent if entry is not None else None,
                remote_id=file_id,
                name=name[:255],
                type=mime,
                size=len(content),
            )
            generated.file.save(name[:100], ContentFile(content), save=False)
            generated.save()
            append_events(
                conversation.pk,
                [
                    (
                        "file.ready",
                        {
                            "id": str(generated.pk),
                            "name": generated.name,
                            "type": generated.type,
                            "size": generated.size,
                            "url": reverse("file-download", args=[generated.pk]),
                            "entry": str(entry.pk) if entry is not None else None,
                        },
                    )
                ],
            )


def _parse_arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"_value": value}


def _handle_function_calls(recorder: TurnRecorder, calls: list[Entry]) -> str | None:
    conversation, turn = recorder.conversation, recorder.turn
    automatic: dict[str, str] = {}
    for call in calls:
        name = call.data.get("name") or ""
        if functions.is_registered(name):
            automatic[call.remote_id] = functions.run(
                name, _parse_arguments(call.data.get("arguments"))
            )
    workspace_id = conversation.graph.workspace_id
    with transaction.atomic():
        waiting = False
        for call in calls:
            if PendingAction.objects.filter(
                turn=turn, tool_call_id=call.data.get("tool_call_id")
            ).exists():
                continue  # recorded before a crash
            action = PendingAction.objects.create(
                conversation=conversation,
                turn=turn,
                kind=PendingAction.Kind.FUNCTION_CALL,
                name=call.data.get("name") or "",
                arguments=_parse_arguments(call.data.get("arguments")),
                tool_call_id=call.data.get("tool_call_id") or "",
                agent=call.agent,
            )
            items = [("pending.created", action.as_data())]
            if call.remote_id in automatic:
                result = automatic[call.remote_id]
                PendingAction.objects.filter(pk=action.pk).update(
                    status=PendingAction.State.RESOLVED,
                    result=result,
                    decision="automatic",
                    resolved_at=timezone.now(),
                )
                action.refresh_from_db()
                entry = Entry.objects.create(
                    conversation=conversation,
                    turn=turn,
                    position=recorder.next_position,
                    type=Entry.Type.FUNCTION_RESULT,
                    agent=call.agent,
                    data={
                        "tool_call_id": action.tool_call_id,
                        "result": result,
                        "name": action.name,
                        "automatic": True,
                    },
                )
                recorder.next_position += 1
                items += [
                    ("pending.resolved", action.as_data()),
                    (
                        "function.result",
                        {
                            "entry": str(entry.pk),
                            "tool_call_id": action.tool_call_id,
                            "name": action.name,
                            "result": result,
                            "user": None,
                        },
                    ),
                ]
            else:
                waiting = True
                publish_feed(workspace_id, "pending.created", action.as_data())
            append_events(conversation.pk, items)
        Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE, finished_at=timezone.now())
        if waiting:
            conversation_set_status(
                conversation=conversation, expected=(Status.RUNNING,), status=Status.AWAITING_INPUT
            )
            return None
        actions = PendingAction.objects.filter(turn=turn).order_by("created_at")
        next_turn = Turn.objects.create(
            conversation=conversation,
            number=turn.number + 1,
            kind="results",
            inputs=[
                {"type": "function.result", "tool_call_id": a.tool_call_id, "result": a.result}
                for a in actions
            ],
        )
    return str(next_turn.pk)


def _pause_for_handoff(recorder: TurnRecorder, handoff: Entry) -> None:
    conversation, turn = recorder.conversation, recorder.turn
    with transaction.atomic():
        target = recorder.agents_by_remote.get(handoff.data.get("next_agent_id") or "")
        action = PendingAction.objects.create(
            conversation=conversation,
            turn=turn,
            kind=PendingAction.Kind.HANDOFF,
            name=handoff.data.get("next_agent_name") or "",
            arguments={
                "from": handoff.data.get("previous_agent_name"),
                "to": handoff.data.get("next_agent_name"),
            },
            agent=handoff.agent,
            target_agent=target,
        )
        append_events(conversation.pk, [("pending.created", action.as_data())])
        publish_feed(conversation.graph.workspace_id, "pending.created", action.as_data())
        Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE, finished_at=timezone.now())
        conversation_set_status(
            conversation=conversation, expected=(Status.RUNNING,), status=Status.AWAITING_INPUT
        )
    return None


def run_turn_chain(turn_id: UUID | str) -> None:
    next_id: str | None = str(turn_id)
    while next_id:
        next_id = turn_execute(next_id)


# -- crash recovery ---------------------------------------------------------------------------
def stale_turns(stale_after_s: float) -> list[Turn]:
    cutoff = timezone.now() - timedelta(seconds=stale_after_s)
    return list(Turn.objects.filter(state=Turn.State.RUNNING, heartbeat_at__lt=cutoff))


def forgotten_turns(older_than_s: float) -> list[UUID]:
    """Queued turns nobody claimed: old ones (message lost), and any the broker refused."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    return list(
        Turn.objects.filter(
            Q(created_at__lt=cutoff) | Q(enqueue_failed_at__isnull=False), state=Turn.State.QUEUED
        ).values_list("pk", flat=True)
    )


def _synthesize(
    entry: dict[str, Any], recorder: TurnRecorder, index: int
) -> list[tuple[str, dict]]:
    """Stream events that complete what the log already holds of one history entry."""
    kind, rid = entry.get("type"), entry.get("id")
    seen = recorder.entries.get(rid)
    agent = {"agent_id": entry.get("agent_id"), "model": entry.get("model")}
    out: list[tuple[str, dict]] = []

    def emit(event_type: str, **fields: Any) -> None:
        out.append((event_type, {"type": event_type, "id": rid, "output_index": index, **fields}))

    if kind == "agent.handoff":
        previous = {k: entry.get(k) for k in ("previous_agent_id", "previous_agent_name")}
        following = {k: entry.get(k) for k in ("next_agent_id", "next_agent_name")}
        if seen is None:
            emit("agent.handoff.started", **previous)
        if seen is None or "next_agent_id" not in seen.data:
            emit("agent.handoff.done", **following)
    elif kind == "message.output":
        content = entry.get("content")
        chunks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        have_text = seen.text if seen is not None else ""
        have_files = {c.get("file_id") for c in (seen.data.get("chunks", []) if seen else [])}
        message = {"content_index": 0, "role": "assistant", **agent}
        text_so_far = ""
        for chunk in chunks:
            is_text, is_file = chunk.get("type") == "text", chunk.get("type") == "tool_file"
            if is_text:
                piece = chunk.get("text") or ""
                start = max(0, min(len(piece), len(have_text) - len(text_so_far)))
                text_so_far += piece
                if piece[start:]:
                    emit("message.output.delta", content=piece[start:], **message)
            elif (is_file and chunk.get("file_id") not in have_files) or (
                not is_file and seen is None
            ):
                emit("message.output.delta", content=chunk, **message)
    elif kind == "tool.execution":
        if seen is None:
            emit("tool.execution.started", name=entry.get("name"),
                 arguments=entry.get("arguments") or "", **agent)  # fmt: skip
        if seen is None or not seen.data.get("done"):
            emit("tool.execution.done", name=entry.get("name"), info=entry.get("info") or {})
    elif kind == "function.call":
        args = entry.get("arguments")
        args = args if isinstance(args, str) else json.dumps(args)
        have = seen.data.get("arguments", "") if seen is not None else ""
        if seen is None or len(args) > len(have):
            rest = args[len(have) :] if args.startswith(have) else args
            call = {"name": entry.get("name"), "tool_call_id": entry.get("tool_call_id")}
            emit("function.call.delta", arguments=rest, **call, **agent)
    return out


def turn_recover(turn_id: UUID | str, stale_after_s: float) -> str:
    """Reconcile a turn whose worker died from the backend's history. Returns what was done."""
    cutoff = timezone.now() - timedelta(seconds=stale_after_s)
    claimed_at = timezone.now()
    claimed = Turn.objects.filter(
        pk=turn_id, state=Turn.State.RUNNING, heartbeat_at__lt=cutoff
    ).update(heartbeat_at=claimed_at)
    if not claimed:
        return "not stale"
    turn = Turn.objects.select_related(
        "conversation", "conversation__graph", "conversation__active_agent"
    ).get(pk=turn_id)
    conversation = turn.conversation
    try:
        remote_id = conversation.remote_id or backend.conversation_find(
            {"agentstudio_conversation": str(conversation.pk)}
        )
        history = backend.conversation_history(remote_id) if remote_id else []
    except backend.BackendError as exc:
        _fail(conversation, turn, f"The worker stopped mid-turn and recovery failed: {exc}")
        return "failed"
    known = set(
        Entry.objects.filter(conversation=conversation)
        .exclude(turn=turn)
        .exclude(remote_id="")
        .values_list("remote_id", flat=True)
    )
    last_known = max((i for i, e in enumerate(history) if e.get("id") in known), default=-1)
    after = history[last_known + 1 :]
    received = bool(after)
    if not received:
        # The backend never saw this turn's input: send it (once) now, unless the turn's
        # worker turned out to be alive after all (it beat since we claimed it).
        with transaction.atomic():
            requeued = Turn.objects.filter(
                pk=turn.pk, state=Turn.State.RUNNING, heartbeat_at=claimed_at
            ).update(state=Turn.State.QUEUED)
            if requeued:
                _enqueue_turn(turn.pk)
        return "requeued" if requeued else "alive"
    if remote_id != conversation.remote_id:
        Conversation.objects.filter(pk=conversation.pk).update(remote_id=remote_id)
        conversation.remote_id = remote_id
    agents_by_remote = local_agents_by_remote_id(conversation.graph)
    # Rebuild the turn from the log (entries may lag the events): drop its partial entries,
    # replay its logged stream events, then add only what the history has beyond them.
    Entry.objects.filter(turn=turn, type__in=OUTPUT_TYPES).delete()
    recorder = TurnRecorder(conversation, turn, agents_by_remote)
    logged = Event.objects.filter(conversation=conversation, seq__gt=turn.start_seq).order_by("seq")
    for event in logged:
        if event.type not in OWN_EVENT_TYPES:
            recorder.apply(event.type, event.data)
    outputs = [e for e in after if e.get("type") not in ("message.input", "function.result")]
    for index, entry in enumerate(outputs):
        for kind, data in _synthesize(entry, recorder, index):
            recorder.add(kind, data)
    recorder.add(
        "conversation.response.done",
        {
            "type": "conversation.response.done",
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        },
    )
    with _heartbeat(turn.pk):
        next_turn = finish_turn(recorder)
    if next_turn:
        _enqueue_next(next_turn)
    return "recovered"


def _enqueue_next(turn_id: str) -> None:
    from conversations.tasks import run_turn

    run_turn.delay(turn_id)
