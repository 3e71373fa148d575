"""A long finished conversation's page in real Chromium: its entries come from the history API,
page by page, the socket replays only what follows the snapshot, and what is logged after that
still arrives live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conversations import eventlog
from conversations.models import Conversation, Entry
from conversations.tests.long_conversation import build
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TURNS = 400  # 800 entries: a first page, then two more


@pytest.fixture
def long(finance_graph, team):
    workspace, members = team
    conversation = Conversation.objects.create(
        graph=finance_graph, entry_agent=finance_graph.entry_agent, backend="sandbox",
        started_by=members["admin"],
    )  # fmt: skip
    events, _ = build(
        conversation, turns=TURNS, user=members["admin"], agent=finance_graph.entry_agent
    )
    return conversation, events


def test_a_long_page_loads_entries_from_rest_and_then_follows_live(
    long, team, asgi_server, signed_in_page, make_user
):
    conversation, logged = long
    workspace, _ = team
    viewer = make_user("reader")
    Membership.objects.create(workspace=workspace, user=viewer, role="viewer")
    page = signed_in_page(viewer)
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-history", "done", timeout=30_000)
    expect(page.locator("#timeline [data-entry]")).to_have_count(2 * TURNS)
    assert timeline.get_attribute("data-loaded") == str(2 * TURNS)
    # The token counter is the conversation's total, not what the (empty) live tail added up.
    expect(page.locator("#conv-tokens")).to_have_text(str(40 * TURNS))
    # Markdown of the REST pages is rendered, from the first entry to the last.
    expect(page.locator("#timeline .rendered strong").first).to_have_text("2.5%")
    expect(page.locator("#timeline .rendered").last).to_be_visible()
    # The socket starts after the snapshot, not from the start of the log.
    # Connected; a finished conversation's page says "Up to date" (idle) rather than "Live".
    page.wait_for_function("() => document.getElementById('connection').dataset.state === 'idle'")
    assert any(f"after={logged}" in url for url in sockets), sockets

    # Logged now, published as always: the page shows it, once.
    entry = Entry.objects.create(conversation=conversation, position=2 * TURNS,
                                 type="message.input", role="user", text="One more question",
                                 data={"content": "One more question"})  # fmt: skip
    eventlog.append_events(conversation.pk, [
        ("message.input", {"entry": str(entry.pk), "role": "user", "content": "One more question",
                           "user": "ada"}),
    ])  # fmt: skip
    expect(page.locator("#timeline [data-entry]")).to_have_count(2 * TURNS + 1)
    added = page.locator(f'#timeline [data-entry="{entry.pk}"]')
    expect(added).to_contain_text("One more question")
    # A response of the live tail adds its usage to the totals the history brought.
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    eventlog.append_events(conversation.pk, [
        ("conversation.response.done", {"type": "conversation.response.done", "usage": usage}),
    ])  # fmt: skip
    expect(page.locator("#conv-tokens")).to_have_text(str(40 * TURNS + 5))
