"""Fixtures for the contract tests: the real `mistralai` SDK against the live ASGI server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from mistralai.client import Mistral
from mistralai.client.models import UnknownConversationEventsData

from sandbox.tests.seed_agents import FinanceGraph, create_finance_graph


@pytest.fixture
def sandbox_url(asgi_server) -> str:
    return f"{asgi_server.url}/sandbox"


@pytest.fixture
def client(sandbox_url) -> Mistral:
    return Mistral(api_key=settings.SANDBOX_API_KEY, server_url=sandbox_url, timeout_ms=30_000)


@pytest.fixture
def finance(client) -> FinanceGraph:
    return create_finance_graph(client)


@dataclass
class Collected:
    """A stream read to the end: its typed events, in order."""

    events: list[Any] = field(default_factory=list)

    @property
    def types(self) -> list[str]:
        return [e.event for e in self.events]

    def of(self, cls: type) -> list[Any]:
        return [e.data for e in self.events if isinstance(e.data, cls)]

    def text(self) -> str:
        from mistralai.client.models import MessageOutputEvent

        return "".join(d.content for d in self.of(MessageOutputEvent) if isinstance(d.content, str))


def collect(stream: Iterable[Any]) -> Collected:
    """Read a stream; every event must parse as a typed SDK event (none `Unknown…`)."""
    out = Collected()
    with stream as events:
        for event in events:
            assert not isinstance(event.data, UnknownConversationEventsData), event.data.raw
            assert event.event == event.data.type
            out.events.append(event)
    return out
