"""The agents API world (a workspace with a member of every role, and an outsider), plus helpers
to catch the audit rows an action writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from agents.tests.conftest import World, fast_password_hashing, world  # noqa: F401
from audit.models import AuditEntry
from conversations import services as conv_services
from conversations.models import PendingAction, Status, Turn


class Captured:
    rows: list[AuditEntry]

    @property
    def row(self) -> AuditEntry:
        assert len(self.rows) == 1, [r.action for r in self.rows]
        return self.rows[0]


@contextmanager
def new_rows() -> Iterator[Captured]:
    """Collects the audit rows written inside the block."""
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    captured = Captured()
    captured.rows = []
    yield captured
    captured.rows = list(AuditEntry.objects.filter(id__gt=last).order_by("id"))


@pytest.fixture
def conversation(world):  # noqa: F811 - the imported fixture
    return conv_services.conversation_start(
        actor=world.users["operator"], agent=world.triage, inputs="Where is my invoice?"
    )


def make_pending(conversation, *, kind=PendingAction.Kind.FUNCTION_CALL) -> PendingAction:
    """What the worker leaves behind when a turn ends in a function call nobody can answer."""
    Turn.objects.filter(conversation=conversation).update(state=Turn.State.DONE)
    turn = Turn.objects.filter(conversation=conversation).order_by("-number").first()
    conversation.status = Status.AWAITING_INPUT
    conversation.save(update_fields=["status"])
    return PendingAction.objects.create(
        conversation=conversation,
        turn=turn,
        kind=kind,
        name="lookup_order",
        arguments={"order": "A-17"},
        tool_call_id="call_1",
        agent=conversation.active_agent,
    )
