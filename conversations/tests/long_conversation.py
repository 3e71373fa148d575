"""A long, finished conversation written straight to the database: its event log (as the engine
logs it, deltas coalesced) and the entries the projection makes of it, consistent with each
other. For the history API's tests and `make bench-page`."""

from __future__ import annotations

import uuid

from conversations.models import Conversation, Entry, Event
from conversations.projection import project_entries

WORDS = "The rate is **2.5%** as of January; compounding over ten years gives about 28% in total. "


USAGE = {"prompt_tokens": 10, "completion_tokens": 30, "total_tokens": 40}  # each turn's


def turn_events(number: int, user: str, agent_id: str, remote_conversation: str) -> list[tuple]:
    entry = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{remote_conversation}/{number}"))
    message = f"msg_{uuid.uuid5(uuid.NAMESPACE_URL, f'{remote_conversation}/out/{number}').hex}"
    delta = {
        "type": "message.output.delta", "id": message, "output_index": 0, "content_index": 0,
        "role": "assistant", "model": "m", "agent_id": agent_id,
    }  # fmt: skip
    return [
        ("conversation.status", {"status": "running"}),
        ("message.input", {"entry": entry, "role": "user", "content": f"Question {number}?",
                           "user": user}),  # fmt: skip
        ("conversation.response.started",
         {"type": "conversation.response.started", "conversation_id": remote_conversation}),
        *[("message.output.delta", delta | {"content": f"{number}: {WORDS}" if i == 0 else WORDS})
          for i in range(3)],
        ("conversation.response.done", {"type": "conversation.response.done", "usage": USAGE}),
        ("conversation.status", {"status": "completed"}),
    ]  # fmt: skip


def build(conversation: Conversation, *, turns: int, user, agent) -> tuple[int, int]:
    """Write `turns` question-and-answer turns (two entries each). Returns (events, entries)."""
    remote = conversation.remote_id or f"conv_{conversation.pk.hex}"
    remote_agent = f"ag_{agent.pk.hex}"
    items = [item for n in range(1, turns + 1)
             for item in turn_events(n, user.username, remote_agent, remote)]  # fmt: skip
    events = [
        Event(conversation=conversation, seq=seq, type=kind, data=data)
        for seq, (kind, data) in enumerate(items, start=1)
    ]
    Event.objects.bulk_create(events, batch_size=2000)
    projected = project_entries([{"seq": e.seq, "type": e.type, "data": e.data} for e in events])
    Entry.objects.bulk_create(
        [
            Entry(
                id=uuid.UUID(p["key"]) if p["type"] == "message.input" else uuid.uuid4(),
                conversation=conversation,
                position=position,
                type=p["type"],
                remote_id="" if p["type"] == "message.input" else p["key"],
                agent=None if p["type"] == "message.input" else agent,
                role=p["role"],
                text=p["text"],
                data=p["data"],
                created_by=user if p["type"] == "message.input" else None,
            )
            for position, p in enumerate(projected)  # from 0, as the engine's
        ],
        batch_size=2000,
    )
    # The totals the engine would have added up, turn by turn.
    totals = {field: turns * count for field, count in USAGE.items()}
    Conversation.objects.filter(pk=conversation.pk).update(
        last_seq=len(events), status="completed", remote_id=remote, active_agent=agent, **totals
    )
    return len(events), len(projected)
