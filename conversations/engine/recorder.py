"""Recording one turn: every stream event into the log, and the entries it amounts to.

The projection (`conversations.projection`) turns events into entries; the recorder maps the
backend's agent ids to local agents around it, keeps one `Entry` row per projected entry, and
hands buffered events and entry snapshots to the group-commit writer (`flusher`).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from agents.models import Agent
from conversations import deltas
from conversations.engine import flusher
from conversations.events import EventType
from conversations.models import Conversation, Entry, Turn
from conversations.projection import AGENT_HANDOFF, OUTPUT_TYPES, Projection
from conversations.services.common import entry_next_position

# Entries (a materialised view of the events) are rewritten at most this often mid-turn.
ENTRY_WRITE_S = 0.25
HEARTBEAT_S = settings.TURN_HEARTBEAT_S


@dataclass
class TurnRecorder:
    conversation: Conversation
    turn: Turn
    agents_by_remote: dict[str, Agent]
    projection: Projection = field(init=False)
    buffer: list[tuple[EventType, dict]] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)  # by projection key
    dirty: set[str] = field(default_factory=set)
    cancelled: bool = False
    remote_id_changed: bool = False
    agent_changed: bool = False
    last_cancel_check: float = 0.0
    last_entry_write: float = 0.0
    last_batch: flusher.Batch | None = None
    next_position: int | None = None  # of the turn's first new entry; None: after the last
    settled: bool = False  # a final flush wrote everything and nothing came after it

    def __post_init__(self) -> None:
        if self.next_position is None:
            self.next_position = entry_next_position(self.conversation)
        active = self.conversation.active_agent
        remote = next((r for r, a in self.agents_by_remote.items() if a == active), None)
        self.projection = Projection(
            active_agent_id=remote, active_agent_name=active.name if active else None
        )

    # -- what the turn amounts to -------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.projection.done

    @property
    def usage(self) -> dict[str, Any] | None:
        return self.projection.usage

    @property
    def error(self) -> str:
        error = self.projection.error
        if error is None:
            return ""
        return f"The backend reported an error: {error['message']} (code {error['code']})"

    @property
    def files(self) -> list[tuple[dict[str, Any], str]]:
        """Tool files seen: (chunk, key of the message that showed it)."""
        return self.projection.files

    # -- applying events ----------------------------------------------------------------------
    def add(self, kind: str, data: dict[str, Any]) -> None:
        # Deltas of one entry buffered together are logged as one event (see `deltas`).
        deltas.append(self.buffer, kind, data)
        self.apply(kind, data)

    def apply(self, kind: str, data: dict[str, Any]) -> None:
        """Update the entries and conversation state for one stream event (no logging)."""
        previous_agent = self.projection.active_agent_id
        key = self.projection.apply(kind, data)
        if key is not None:
            if key not in self.entries:
                self._new_row(key)
            self.dirty.add(key)
        remote = self.projection.conversation_id
        if remote and remote != self.conversation.remote_id:
            self.conversation.remote_id = remote
            self.remote_id_changed = True
        if self.projection.active_agent_id != previous_agent:
            following = self.agents_by_remote.get(self.projection.active_agent_id or "")
            if following is not None:
                self.conversation.active_agent = following
                self.agent_changed = True

    def _new_row(self, key: str) -> None:
        projected = self.projection.entries[key]
        agent = self.agents_by_remote.get(projected["agent_remote_id"] or "")
        self.entries[key] = Entry(
            conversation=self.conversation,
            turn=self.turn,
            position=self.next_position,
            type=projected["type"],
            remote_id=key,
            agent=agent or self.conversation.active_agent,
            role=projected["role"],
            data={},
        )
        self.next_position += 1

    def snapshot(self, key: str) -> Entry:
        """A copy of the entry as projected so far; the writer thread saves it while this thread
        goes on changing the projection."""
        row, projected = self.entries[key], self.projection.entries[key]
        data = copy.deepcopy(projected["data"])
        if row.type == AGENT_HANDOFF:
            following = self.agents_by_remote.get(data.get("next_agent_id") or "")
            if following is not None:
                data["next_agent"] = str(following.pk)
        return Entry(
            id=row.pk,
            conversation_id=row.conversation_id,
            turn_id=row.turn_id,
            position=row.position,
            type=row.type,
            remote_id=row.remote_id,
            agent=row.agent,  # read-only in the writer thread; saves a query for follow-ups
            role=row.role,
            text=projected["text"],
            data=data,
        )

    def output_entries(self) -> list[Entry]:
        return [
            self.snapshot(key)
            for key in self.projection.entries
            if key in self.entries and self.entries[key].type in OUTPUT_TYPES
        ]

    # -- writing ------------------------------------------------------------------------------
    def flush(self, *, final: bool = False) -> None:
        """Hand buffered events (and, at most every ENTRY_WRITE_S, entry snapshots) to the
        process's group-commit writer. `final` waits until everything is written."""
        pending = self.dirty or self.remote_id_changed or self.agent_changed
        if final and self.settled and not self.buffer and not pending:
            # The stream's end flushed and waited already (a failed write raised there): the
            # turn's end has nothing to add.
            return
        now = time.monotonic()
        # Heartbeats are the lifecycle's heartbeat thread's; this interval only paces the cancel
        # check on a stream that sends nothing.
        check_cancel = now - self.last_cancel_check >= HEARTBEAT_S
        write_entries = pending and (final or now - self.last_entry_write >= ENTRY_WRITE_S)
        if not self.buffer and not check_cancel and not write_entries and not final:
            return
        fields: dict[str, Any] = {}
        snapshots: list[Entry] = []
        if write_entries:
            snapshots = [self.snapshot(key) for key in self.dirty]
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
        self.settled = final
