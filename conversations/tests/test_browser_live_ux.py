"""The conversation page's live UX in real Chromium against the real stack (uvicorn, a Celery
worker, the sandbox through the mistralai SDK, the WebSockets): following the stream and the
"new activity" pill, the compact header, counters that move with the stream, "Live" only while
a run is live, the retry notice and the readable failure, the lanes, the raw events and the
keyboard-shortcut overlay, at 1280 and 390 px.
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
from conversations.costs import ModelPrice
from conversations.models import Conversation
from conversations.services import conversation_start
from conversations.tests.conftest import EXAMPLE_B

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UUID = r"[0-9a-f-]{36}"
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def demo(make_user):
    owner = make_user("ada")
    call_command("load_demo", owner="ada", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return owner, Graph.objects.get(name="Finance", workspace__name="Demo")


@pytest.fixture
def errors(page):
    """Uncaught errors of the page's scripts: none is expected anywhere here."""
    seen: list[str] = []
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def wait_status(page, label: str, timeout: float = 60_000) -> None:
    page.locator("#conv-status .status", has_text=label).wait_for(timeout=timeout)


def streamed(page) -> str:
    return page.evaluate(
        "() => document.querySelector('[data-kind=message] .md')?.textContent || ''"
    )


def test_the_page_follows_the_stream_and_offers_the_pill_when_scrolled_up(
    demo, signed_in_page, asgi_server, celery_worker_process, errors
):
    owner, graph = demo
    # The estimate needs the entry model's price; a flush by an earlier live-server test may
    # have emptied the table the data migration filled.
    ModelPrice.objects.get_or_create(
        model=graph.entry_agent.model,
        defaults={
            "input_per_million": "0.5",
            "output_per_million": "1.5",
            "taken_on": "2026-06-01",
        },
    )
    page = signed_in_page(owner)
    page.goto(f"{asgi_server.url}/graphs/{graph.pk}/start/")
    page.get_by_label("Message").fill("tall streaming probe")
    page.get_by_text("Advanced").click()
    page.get_by_label("Metadata (JSON object, optional)").fill('{"sandbox_delay_ms": 30}')
    page.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(rf"/conversations/{UUID}/$"))

    # The header leaves room: the first streamed entry starts in the upper half of the screen.
    page.locator("[data-kind='message']").wait_for()
    top = page.locator("#timeline > li").first.bounding_box()["y"]
    assert top < 450, top
    expect(page.locator("#connection")).to_have_text("Live")

    # The reply grows past the fold: the page keeps its newest line in view, with the compact bar.
    page.wait_for_function("() => document.scrollingElement.scrollHeight > innerHeight * 1.5")
    page.wait_for_function(
        "() => (document.querySelector('[data-kind=message] .md')?.textContent || '')"
        ".includes('Paragraph 14')"
    )
    # The page scrolls in the next animation frame: wait for it rather than sample once.
    page.wait_for_function(
        "() => scrollY + innerHeight >= document.scrollingElement.scrollHeight - 120"
    )
    expect(page.locator("#conv-bar")).to_be_visible()
    expect(page.locator("#conv-bar")).to_contain_text("Running")
    expect(page.locator("#new-activity")).to_be_hidden()

    # The tokens move with the stream, marked as an estimate until the usage arrives.
    tokens = page.locator("#conv-tokens")
    first = tokens.inner_text()
    assert first.startswith("≈"), first
    page.wait_for_function(
        "(before) => document.getElementById('conv-tokens').textContent !== before", arg=first
    )
    assert int(tokens.inner_text().lstrip("≈ ")) > int(first.lstrip("≈ "))
    expect(page.locator("#conv-cost")).to_have_text(re.compile(r"^≈ \$0\.\d+$"))

    # Scrolled up, the reader stays put and a pill says more came; the pill takes them back.
    page.mouse.wheel(0, -5000)
    page.wait_for_function("() => scrollY < 50")
    before = len(streamed(page))
    page.wait_for_function(
        "(n) => (document.querySelector('[data-kind=message] .md')?.textContent || '').length"
        " > n + 40",
        arg=before,
    )
    assert page.evaluate("() => scrollY") < 50
    pill = page.get_by_role("button", name="New activity")
    expect(pill).to_be_visible()
    pill.click()
    page.wait_for_function(
        "() => scrollY + innerHeight >= document.scrollingElement.scrollHeight - 120"
    )
    expect(pill).to_be_hidden()

    # Finished: exact tokens, and no "Live" for a run that is over.
    wait_status(page, "Completed")
    conversation = Conversation.objects.get()
    expect(tokens).to_have_text(str(conversation.total_tokens))
    expect(page.locator("#connection")).to_have_text("Up to date")
    assert page.locator("#connection").get_attribute("data-state") == "idle"

    # A finished conversation reopened: its replay leaves the reader at the top, not "Live".
    # (A new tab: a reload would have the browser restore the reader's own scroll position.)
    url = page.url
    page = page.context.new_page()
    page.goto(url)
    page.locator("[data-kind='message'] .md.rendered").wait_for()
    expect(page.locator("#connection")).to_have_text("Up to date")
    assert page.evaluate("() => scrollY") == 0
    expect(page.locator("#new-activity")).to_be_hidden()
    assert errors == []


def test_retries_are_shown_then_the_failure_reads_as_a_sentence(
    demo, signed_in_page, asgi_server, celery_worker_process, errors
):
    """The worker's budget in the tests (conftest WORKER_ENV) allows one retry after a 2 s
    Retry-After: the page shows that retry counting down, then the failure."""
    owner, graph = demo
    page = signed_in_page(owner)
    page.set_viewport_size({"width": 390, "height": 800})
    metadata = {
        "sandbox_fault": "rate_limit",
        "sandbox_fault_times": 2,
        "sandbox_retry_after": 2,
        "sandbox_fault_key": f"ui-retry-{uuid.uuid4()}",
    }
    conversation = conversation_start(
        actor=owner, agent=graph.entry_agent, inputs="Hello there", metadata=metadata
    )
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    # At 390 px the header keeps to its main facts (all of them put it at about 700 px):
    top = page.evaluate(
        "() => document.getElementById('timeline').getBoundingClientRect().top + scrollY"
    )
    assert top < 600, top  # in the first three quarters of the 800 px screen (about 560)
    expect(page.get_by_text("Started by")).to_be_hidden()
    page.get_by_role("button", name="More details").click()
    expect(page.get_by_text("Started by")).to_be_visible()
    page.get_by_role("button", name="Fewer details").click()
    notice = page.locator("#retry-notice")
    expect(notice).to_have_text(
        re.compile(r"^Retrying \(1/10\) after 429 — (next attempt in [12] s|trying again now)$")
    )
    wait_status(page, "Failed")
    expect(notice).to_be_hidden()
    error = page.locator("[data-kind='error']").last
    sentence = error.locator(".failure-sentence")
    expect(sentence).to_have_text(
        "The backend turned the request away: too many requests (rate limit) (HTTP 429): "
        "Rate limit exceeded. It still failed after 1 retry."
    )
    details = error.locator("details.failure-details")
    expect(details.locator("pre")).to_be_hidden()  # folded
    details.locator("summary").click()
    expect(details.locator("pre")).to_contain_text('"code": "1300"')
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
    assert errors == []


def test_lanes_show_agents_handoffs_tools_and_the_wait_for_a_person(
    demo, signed_in_page, asgi_server, celery_worker_process, errors
):
    owner, graph = demo
    conversation = conversation_start(actor=owner, agent=graph.entry_agent, inputs=EXAMPLE_B)
    page = signed_in_page(owner)
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    page.get_by_role("button", name="Lanes").click()
    lanes = page.locator("#lanes")
    expect(lanes).to_be_visible()
    expect(page.locator("#timeline")).to_be_hidden()
    assert "view=lanes" in page.url

    # Live while it runs: the handoff to the ECB agent, then the wait for a person's answer.
    lanes.locator("[data-handoff='Handoff to ecb-interest-rate-agent']").wait_for()
    waiting = lanes.locator(".lane-wait")
    waiting.wait_for()
    assert "so far" in waiting.get_attribute("aria-label")
    wait_status(page, "Awaiting Input")
    # The header's inbox count follows, over the feed, on this page and everywhere.
    expect(page.locator("#nav-inbox-count")).to_have_text("1")
    page.get_by_role("button", name="Reading").click()
    call = page.locator("[data-kind='call']")
    call.get_by_label("Result of get_european_central_bank_interest_rate").fill("2.5%")
    call.get_by_role("button", name="Send result").click()
    wait_status(page, "Completed")
    expect(page.locator("#nav-inbox-count")).to_be_hidden()

    page.keyboard.press("l")  # the shortcut back to the lanes
    expect(lanes).to_be_visible()
    labels = lanes.locator(".lane-labels .lane").all_inner_texts()
    assert labels == ["finance-agent", "ecb-interest-rate-agent", "graph-drawing-agent", "People"]
    handoffs = lanes.locator("[data-handoff]")
    assert handoffs.evaluate_all("els => els.map(e => e.dataset.handoff)") == [
        "Handoff to ecb-interest-rate-agent",
        "Handoff to graph-drawing-agent",
    ]
    tool = lanes.locator(".lane-tool")
    assert tool.count() == 1
    assert re.match(r"^Tool code_interpreter: \d+(\.\d)? s$", tool.get_attribute("aria-label"))
    wait = lanes.locator(".lane-wait")
    assert re.match(
        r"^Waiting for a person: a result for get_european_central_bank_interest_rate: ",
        wait.get_attribute("aria-label"),
    )
    # Each agent's stretch is one span in its own lane, the duration on hover (SVG <title>).
    segments = lanes.locator(".lane-segment")
    assert segments.count() == 3
    assert re.match(r"^finance-agent: \d", segments.first.locator("title").text_content())
    tool.hover()
    assert int(tool.get_attribute("data-duration-ms")) >= 0
    if os.environ.get("SCREENSHOTS"):  # the README's picture of the lanes
        lanes.screenshot(path=str(DOCS / "conversation-lanes.png"))

    # At 390 px the lanes fit the screen.
    page.set_viewport_size({"width": 390, "height": 800})
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
    assert lanes.locator(".lane-handoff").count() == 2
    assert errors == []


def test_raw_events_and_the_shortcut_overlay(
    demo, signed_in_page, asgi_server, celery_worker_process, errors
):
    owner, graph = demo
    conversation = conversation_start(actor=owner, agent=graph.entry_agent, inputs="Hello there")
    page = signed_in_page(owner)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    wait_status(page, "Completed")
    page.goto(f"{asgi_server.url}/admin/")  # a page without our icon link asks for /favicon.ico
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    wait_status(page, "Completed")
    assert missing == []

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Lanes view")
    expect(dialog).to_contain_text("Go to the inbox")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("e")
    raw = page.locator("#raw-events-json")
    expect(raw).to_be_visible()
    conversation.refresh_from_db()
    expect(raw).to_contain_text('"type": "conversation.response.done"')
    assert raw.inner_text().count('"seq":') == conversation.last_seq
    page.get_by_role("button", name="Reading").click()
    expect(raw).to_be_hidden()

    # Dark mode follows the system setting.
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(247, 247, 249)"
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(background) == "rgb(20, 22, 27)"
    page.emulate_media(color_scheme="light")

    # Typing in a field is not a shortcut.
    page.get_by_label("Follow-up message").fill("lee")
    expect(page.locator("#lanes")).to_be_hidden()
    page.keyboard.press("Escape")
    page.locator("body").click()
    page.keyboard.press("g")
    page.keyboard.press("i")
    page.wait_for_url(f"{asgi_server.url}/inbox/")
    assert errors == []
