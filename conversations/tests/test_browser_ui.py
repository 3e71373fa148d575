"""The conversation pages in real Chromium against the real stack: uvicorn, a Celery worker, the
sandbox through the mistralai SDK, and the WebSockets.

Set SCREENSHOTS=1 to refresh the README's screenshots under docs/ while the example runs.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agents.models import Graph
from conversations.models import Conversation, Entry
from conversations.services import conversation_start
from conversations.tests.conftest import EXAMPLE_B
from workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCREENSHOTS = bool(os.environ.get("SCREENSHOTS"))
UUID = r"[0-9a-f-]{36}"


@pytest.fixture
def demo(make_user):
    owner = make_user("ada")
    call_command("load_demo", owner="ada", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return owner, Graph.objects.get(name="Finance", workspace__name="Demo")


def entry_keys(conversation) -> list[str]:
    return [e.remote_id or str(e.pk) for e in Entry.objects.filter(conversation=conversation)]


def dom_keys(page) -> list[str]:
    return page.eval_on_selector_all(
        "#timeline [data-entry]", "els => els.map(e => e.dataset.entry)"
    )


def wait_status(page, label: str, timeout: float = 60_000) -> None:
    page.locator("#conv-status .status", has_text=label).wait_for(timeout=timeout)


def fits(page, width: int) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width + 1


UNNAMED_CONTROLS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => e.getClientRects().length)
  .filter(e => !((e.labels && e.labels.length) || e.getAttribute('aria-label')
    || e.getAttribute('aria-labelledby') || (e.textContent || '').trim() || e.title))
  .map(e => e.outerHTML.slice(0, 160))"""


def unnamed_controls(page) -> list[str]:
    """Visible controls without an accessible name (label, aria-label, text or title)."""
    return page.evaluate(UNNAMED_CONTROLS)


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        DOCS.mkdir(exist_ok=True)
        # From the top: the compact bar that follows a scrolled page would sit mid-picture.
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_function("() => document.getElementById('conv-bar')?.hidden ?? true")
        page.screenshot(path=str(DOCS / name), full_page=True)


def test_example_b_from_the_ui_live_handoff_inbox_answer_and_plot(
    demo, signed_in_page, asgi_server, celery_worker_process
):
    owner, graph = demo
    if SCREENSHOTS:  # some history for the dashboard's picture
        conversation_start(actor=owner, agent=graph.entry_agent, inputs="Hello, who are you?")
        support = Graph.objects.get(name="Customer support")
        conversation_start(actor=owner, agent=support.entry_agent, inputs="My invoice is wrong")
    page = signed_in_page(owner)
    inbox = page.context.new_page()
    inbox.goto(f"{asgi_server.url}/inbox/")
    other_inbox = page.context.new_page()
    other_inbox.goto(f"{asgi_server.url}/inbox/")
    dashboard = page.context.new_page()
    dashboard.goto(f"{asgi_server.url}/")
    for p in (inbox, other_inbox):
        p.locator("#inbox-live[data-state='live']").wait_for()
    assert unnamed_controls(page) == []

    # Start example B from the dashboard: the demo graph's entry agent is preselected.
    page.get_by_role("link", name="Start a conversation on Finance").click()
    assert page.get_by_label("Agent").input_value() == str(graph.entry_agent_id)
    assert unnamed_controls(page) == []
    page.get_by_label("Message").fill(EXAMPLE_B)
    page.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(rf"/conversations/{UUID}/$"))
    conversation = Conversation.objects.get(title=EXAMPLE_B)

    # The handoff and the function call appear live.
    page.locator("[data-kind='handoff'][data-to='ecb-interest-rate-agent']").wait_for()
    call = page.locator("[data-kind='call']", has_text="get_european_central_bank_interest_rate")
    call.get_by_text("Waiting for a result.").wait_for()
    assert '"date": "2025-01' in call.locator("pre.args").inner_text()
    wait_status(page, "Awaiting Input")
    assert page.locator("#agent-path li.current").inner_text() == "ecb-interest-rate-agent"

    # A new action appears in every open inbox without a reload, with its context.
    card = inbox.locator("[data-pending]", has_text="get_european_central_bank_interest_rate")
    card.wait_for()
    assert "Retrieve the real interest rate" in card.inner_text()
    assert "plot a graph of the compounded interest rate" in card.inner_text()
    other_card = other_inbox.locator("[data-pending]", has_text="get_european_central_bank")
    other_card.wait_for()
    assert unnamed_controls(inbox) == [] and unnamed_controls(page) == []
    # The dashboard follows too: the waiting conversation and the count, without a reload.
    dashboard.locator("#dashboard-recent .status-awaiting_input").wait_for()
    dashboard.locator("#pending-count", has_text="1").wait_for()
    shot(inbox, "inbox.png")
    shot(dashboard, "dashboard.png")

    # JSON answers are checked before sending; then answer in text from one inbox.
    card.get_by_label("JSON").check()
    card.get_by_label("Result of get_european_central_bank_interest_rate").fill("2.5%")
    card.get_by_role("button", name="Send result").click()
    card.get_by_text("not valid JSON").wait_for()
    card.get_by_label("Text").check()
    card.get_by_role("button", name="Send result").click()
    card.wait_for(state="detached")
    other_card.wait_for(state="detached")  # answered elsewhere
    if not SCREENSHOTS:
        expect(other_inbox.locator("#inbox-empty")).to_be_visible()

    # The conversation resumes by itself; the plot appears inline with a download link.
    wait_status(page, "Completed")
    dashboard.locator("#pending-count", has_text="0").wait_for()
    image = page.locator("figure.file img")
    image.wait_for()
    page.wait_for_function("() => document.querySelector('figure.file img').naturalWidth > 0")
    expect(page.get_by_role("link", name="Download plot_0.png")).to_be_visible()
    result = page.locator("[data-kind='result']")
    assert "Given by ada" in result.inner_text() and "2.5%" in result.inner_text()
    assert page.locator("#agent-path li.current").inner_text() == "graph-drawing-agent"
    tool = page.locator("[data-kind='tool'] details")
    tool.locator("summary").click()
    assert "import matplotlib" in tool.inner_text()
    keys = dom_keys(page)
    assert sorted(keys) == sorted(entry_keys(conversation))  # each entry exactly once
    conversation.refresh_from_db()
    assert int(page.locator("#conv-tokens").inner_text()) == conversation.total_tokens
    shot(page, "conversation.png")

    # The same page rebuilt from the log after a reload is identical.
    page.reload()
    wait_status(page, "Completed")
    page.locator("figure.file img").wait_for()
    assert dom_keys(page) == keys, (dom_keys(page), keys)

    for path in ("/", f"/conversations/{conversation.pk}/", "/inbox/", "/conversations/"):
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(asgi_server.url + path)
        assert fits(page, 390), path
        assert unnamed_controls(page) == [], path
        if SCREENSHOTS and path == f"/conversations/{conversation.pk}/":
            wait_status(page, "Completed")  # the log replayed, the plot in place
            page.wait_for_function("() => document.querySelector('figure.file img')?.naturalWidth")
            shot(page, "conversation-390px.png")
        page.set_viewport_size({"width": 1280, "height": 900})
        assert fits(page, 1280), path


def test_reload_and_network_blip_mid_stream_show_each_entry_once(
    demo, signed_in_page, asgi_server, celery_worker_process
):
    owner, graph = demo
    page = signed_in_page(owner)
    page.goto(f"{asgi_server.url}/graphs/{graph.pk}/start/")
    page.get_by_label("Message").fill("long streaming probe, please")
    page.get_by_text("Advanced").click()
    page.get_by_label("Metadata (JSON object, optional)").fill('{"sandbox_delay_ms": 60}')
    page.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(rf"/conversations/{UUID}/$"))
    message = page.locator("[data-kind='message'] .md")
    page.wait_for_function(
        "() => (document.querySelector('[data-kind=message] .md')?.textContent || '')"
        ".includes('five')"
    )
    page.reload()  # mid-stream
    page.wait_for_function(
        "() => (document.querySelector('[data-kind=message] .md')?.textContent || '')"
        ".includes('fifteen')"
    )
    assert "the end." not in message.inner_text()  # still streaming: a real mid-stream blip
    page.evaluate("() => window.agentStudioSocket.drop()")
    page.locator("#connection[data-state='reconnecting']").wait_for()
    page.locator("#connection[data-state='live']").wait_for()
    wait_status(page, "Completed")
    conversation = Conversation.objects.get()
    [output] = Entry.objects.filter(conversation=conversation, type="message.output")
    page.locator("[data-kind='message'] .md.rendered").wait_for()
    assert message.inner_text().strip() == output.text.strip()
    assert sorted(dom_keys(page)) == sorted(entry_keys(conversation))


def test_outsider_gets_404_for_the_page(demo, page, asgi_server, make_user, signed_in_page):
    owner, graph = demo
    conversation = conversation_start(actor=owner, agent=graph.entry_agent, inputs="hello")
    signed_in_page(make_user("mallory"))
    response = page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    assert response.status == 404
    response = page.goto(f"{asgi_server.url}/graphs/{graph.pk}/start/")
    assert response.status == 404


def test_model_markup_renders_inert(
    demo, signed_in_page, asgi_server, celery_worker_process, make_user
):
    owner, graph = demo
    viewer = make_user("vic")
    Membership.objects.create(workspace=graph.workspace, user=viewer, role="viewer")
    conversation = conversation_start(
        actor=owner, agent=graph.entry_agent, inputs="untrusted markup probe"
    )
    page = signed_in_page(viewer)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    wait_status(page, "Completed")
    md = page.locator("[data-kind='message'] .md.rendered")
    md.wait_for()
    assert md.locator("strong", has_text="Bold claim").count() == 1
    assert "<img src=x onerror=alert(1)>" in md.inner_text()  # shown as text
    assert page.locator("#timeline img, #timeline script").count() == 0
    handlers = page.evaluate(
        "() => [...document.querySelectorAll('#timeline *')]"
        ".flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))"
    )
    assert handlers == []
    hrefs = md.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://example.com/docs"]
    for link in md.get_by_text("harmless looking link").all():
        link.click()  # plain text now; clicking does nothing
    page.wait_for_timeout(300)
    assert dialogs == []
    # A viewer reads only: no composer, no cancel.
    assert page.get_by_label("Follow-up message").count() == 0
    assert page.get_by_role("button", name="Cancel conversation").count() == 0


def test_client_handoffs_and_inline_answer_on_the_conversation_page(
    demo, signed_in_page, asgi_server, celery_worker_process
):
    owner, graph = demo
    page = signed_in_page(owner)
    page.goto(f"{asgi_server.url}/graphs/{graph.pk}/start/")
    page.get_by_label("Message").fill(EXAMPLE_B)
    page.get_by_label("Client: pause at each handoff for Continue / Stop").check()
    page.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(rf"/conversations/{UUID}/$"))

    page.get_by_text("Paused at this handoff (client mode).").wait_for()
    page.get_by_role("button", name="Continue to ecb-interest-rate-agent").click()
    call = page.locator("[data-kind='call']")
    call.get_by_text("Waiting for a result.").wait_for()
    call.get_by_label("Result of get_european_central_bank_interest_rate").fill("2.5%")
    call.get_by_role("button", name="Send result").click()
    call.get_by_text("Answered by ada.").wait_for()

    page.get_by_role("button", name="Continue to graph-drawing-agent").wait_for()
    page.get_by_role("button", name="Stop here").click()
    page.get_by_text("Decision: stop.").wait_for()
    wait_status(page, "Completed")
    assert page.get_by_role("button", name="Cancel conversation").is_hidden()
    conversation = Conversation.objects.get()
    assert conversation.handoff_execution == "client"
    assert sorted(dom_keys(page)) == sorted(entry_keys(conversation))


def test_failure_is_explained_and_a_follow_up_message_recovers(
    demo, signed_in_page, asgi_server, celery_worker_process
):
    owner, graph = demo
    conversation = conversation_start(
        actor=owner,
        agent=graph.entry_agent,
        inputs="Hello there",
        metadata={
            "sandbox_fault": "response_error",
            "sandbox_fault_times": 1,
            "sandbox_fault_key": f"ui-failure-{uuid.uuid4()}",
        },
    )
    page = signed_in_page(owner)
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    wait_status(page, "Failed")
    error = page.locator("[data-kind='error']").last
    assert "What you can do: send a follow-up message" in error.inner_text()
    page.get_by_label("Follow-up message").fill("Hello again")
    page.get_by_role("button", name="Send message").click()
    wait_status(page, "Completed")
    assert page.locator("[data-kind='user']", has_text="Hello again").count() == 1
    # The failed turn's partial reply stays visible (the log keeps what was seen), marked.
    assert page.locator("[data-kind='message'].interrupted").count() == 1
    assert page.locator("[data-kind='message']:not(.interrupted)").count() == 1


def test_cancel_mid_stream(demo, signed_in_page, asgi_server, celery_worker_process):
    owner, graph = demo
    conversation = conversation_start(
        actor=owner,
        agent=graph.entry_agent,
        inputs="long streaming probe",
        metadata={"sandbox_delay_ms": 80},
    )
    page = signed_in_page(owner)
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    page.locator("[data-kind='message'] .md", has_text="three").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel conversation").click()
    wait_status(page, "Cancelled")
    assert page.locator("[data-kind='note']", has_text="Cancelled").count() == 1
    assert page.get_by_role("button", name="Cancel conversation").is_hidden()
