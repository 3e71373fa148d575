"""The Content-Security-Policy in real Chromium: the main pages, the editor island and the live
pages work under it without a single violation, and /api/docs/ renders Swagger UI with every
request outside 127.0.0.1 blocked."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from agents.models import Graph
from conversations.models import Conversation
from conversations.services import conversation_start
from conversations.tests.conftest import EXAMPLE_B

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script; CSP does not apply to it. Chromium reports each blocked script,
# style, image or connection as a `securitypolicyviolation` event (and on the console).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
                    `(${e.sourceFile}:${e.lineNumber})`);
});
"""


@pytest.fixture
def csp_watch(page):
    """Every CSP violation (event or console report) and page error, on any page of the test."""
    found: list[str] = []
    page.context.add_init_script(RECORD_VIOLATIONS)

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            found.append(f"console: {message.text}")

    def watch(p):
        p.on("console", on_console)
        p.on("pageerror", lambda error: found.append(f"pageerror: {error}"))

    watch(page)
    page.context.on("page", watch)

    def collect(*pages) -> list[str]:
        events = [v for p in pages for v in p.evaluate("() => window.__csp")]
        return found + events

    return collect


def visit(page, url: str):
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    return response


@pytest.fixture
def demo(make_user):
    owner = make_user("ada")
    call_command("load_demo", owner="ada", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return owner, Graph.objects.get(name="Finance", workspace__name="Demo")


def test_main_pages_and_live_updates_run_under_the_csp(
    demo, signed_in_page, asgi_server, celery_worker_process, csp_watch
):
    owner, graph = demo
    page = signed_in_page(owner)
    base = asgi_server.url
    inbox = page.context.new_page()
    visit(inbox, f"{base}/inbox/")
    inbox.locator("#inbox-live[data-state='live']").wait_for()  # its WebSocket is allowed

    visit(page, f"{base}/graphs/{graph.pk}/edit/")
    page.locator(".react-flow__node").first.wait_for()  # the editor island renders
    assert page.locator(".react-flow__node").count() == graph.agents.count()

    conversation_start(actor=owner, agent=graph.entry_agent, inputs=EXAMPLE_B)
    conversation = Conversation.objects.get(title=EXAMPLE_B)
    visit(page, f"{base}/conversations/{conversation.pk}/")
    page.locator("#conv-status .status", has_text="Awaiting Input").wait_for(timeout=60_000)

    # The card arrives live; its agent colour is applied without a style="" attribute.
    card = inbox.locator("[data-pending]", has_text="get_european_central_bank_interest_rate")
    card.wait_for()
    colour = card.evaluate("e => e.style.getPropertyValue('--agent')")
    assert colour.startswith("hsl(") and card.evaluate("e => e.dataset.agentColor") == colour
    card.get_by_label("Result of get_european_central_bank_interest_rate").fill("2.5%")
    card.get_by_role("button", name="Send result").click()
    card.wait_for(state="detached")
    page.locator("#conv-status .status", has_text="Completed").wait_for(timeout=60_000)
    page.locator("figure.file img").wait_for()  # the generated chart, an image of our own
    # decode() waits for the image and fails if it was blocked or broken.
    assert page.locator("figure.file img").evaluate("i => i.decode().then(() => i.naturalWidth)")
    chips = page.locator("#agent-path .agent-chip")
    assert chips.first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgb(102, 102, 119)"

    for path in ("/", "/conversations/", f"/conversations/{conversation.pk}/", "/graphs/"):
        visit(page, base + path)
    visit(page, f"{base}/workspaces/{graph.workspace_id}/audit/")
    page.locator(".audit-table").wait_for()
    page.locator("tr.audit-change summary").first.click()
    visit(page, f"{base}/")
    page.locator("#dashboard-recent .status-completed").first.wait_for()

    assert csp_watch(page, inbox) == []


def test_api_docs_render_offline_under_the_csp(signed_in_page, asgi_server, csp_watch):
    page = signed_in_page()
    outside: list[str] = []

    def only_loopback(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_loopback)
    visit(page, f"{asgi_server.url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for()
    operations = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert "/api/conversations/" in [o.replace("\u200b", "") for o in operations]
    assert page.locator(".swagger-ui .opblock").count() > 20
    page.locator(".swagger-ui .opblock-summary", has_text="/api/graphs/").first.click()
    page.get_by_role("button", name="Try it out").first.wait_for()
    assert outside == []
    assert csp_watch(page) == []


def test_repeated_wrong_passwords_lock_the_browser_out(page, asgi_server, make_user, csp_watch):
    from audit.models import AuditEntry

    make_user("grace", password="s3cret-pass-99")
    page.goto(f"{asgi_server.url}/login/")
    statuses = []
    for _ in range(5):  # AXES_FAILURE_LIMIT
        page.get_by_label("Username").fill("grace")
        page.get_by_label("Password").fill("wrong")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Sign in").click()
        statuses.append(posted.value.status)
    assert statuses == [200, 200, 200, 200, 429]
    page.get_by_role("link", name="Back to sign-in").click()
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill("s3cret-pass-99")  # the right one, too late
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign in").click()
    assert posted.value.status == 429
    assert page.get_by_role("heading", name="Sign-in locked").is_visible()
    assert "Try again in 15 minutes" in page.get_by_role("alert").inner_text()
    assert "/login/" in page.url
    assert AuditEntry.objects.filter(action="auth.locked_out", object_repr="grace").count() == 2
    assert csp_watch(page) == []
