"""Benchmark a long conversation's page in Chromium: 5,000 entries (2,500 finished turns).

Creates a throw-away SQLite database, writes the conversation's log and entries
(`conversations/tests/long_conversation.py`), starts the real ASGI server, signs in and measures,
from navigation start (median of runs):
  * first entry: the first timeline item in the DOM and painted (two animation frames later);
  * first screen: the viewport full of items and painted;
  * all entries: every entry drawn (the history loaded) and the socket live;
and the same page the old way, replaying the whole event log over the socket (what a page does
while a turn runs). Prints the numbers; it asserts nothing (benchmarks are never tests).

    make bench-page
    .venv/bin/python scripts/bench_page.py [--turns 2500 --runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROBE = """() => {
  window.__marks = {};
  const mark = (name) => {
    if (window.__marks[name] !== undefined) return;
    window.__marks[name] = -1;
    const stamp = () => { window.__marks[name] = performance.now(); };
    requestAnimationFrame(() => requestAnimationFrame(stamp));
  };
  new MutationObserver(() => {
    const items = document.querySelectorAll('#timeline [data-entry]');
    if (items.length) mark('first');
    const last = items[items.length - 1];
    if (last && last.getBoundingClientRect().top > window.innerHeight) mark('screen');
  }).observe(document, { childList: true, subtree: true });
}"""


def build(turns: int):
    from django.contrib.auth import get_user_model

    from agents import services
    from conversations.models import Conversation
    from conversations.tests.long_conversation import build as write
    from workspaces.services import workspace_create

    user = get_user_model().objects.create_user("bench", password="bench-pass-123")
    workspace = workspace_create(actor=user, name="Bench")
    graph = services.graph_create(actor=user, workspace=workspace, name="Long")
    agent = services.agent_create(actor=user, graph=graph, name="assistant",
                                  description="Answers", instructions="Answer.")  # fmt: skip
    conversation = Conversation.objects.create(
        graph=graph, entry_agent=agent, backend="sandbox", started_by=user
    )
    events, entries = write(conversation, turns=turns, user=user, agent=agent)
    return conversation, events, entries


def measure(page, url: str, expected: int, done_js: str) -> dict[str, float]:
    page.goto("about:blank")
    page.add_init_script(f"({PROBE})()")
    page.goto(url, wait_until="commit")
    page.wait_for_function(done_js, timeout=900_000)
    page.wait_for_function("() => Object.values(window.__marks).every((v) => v > 0)")
    marks = page.evaluate("() => window.__marks")
    total = page.evaluate("performance.now()")
    drawn = page.locator("#timeline [data-entry]").count()
    assert drawn == expected, (drawn, expected)
    timing = page.evaluate("""() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const first = performance.getEntriesByType('resource')
        .find((r) => r.name.includes('/history/'));
      return {html: nav.responseEnd, dom: nav.domContentLoadedEventEnd,
              history: first ? first.responseEnd : 0, history_start: first ? first.startTime : 0};
    }""")
    return {"first": marks.get("first", 0), "screen": marks.get("screen", 0), "all": total,
            **timing}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-way", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the old way once (minutes for 5,000 entries)")  # fmt: skip
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-page-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    conversation, events, entries = build(args.turns)
    print(f"conversation: {entries} entries, {events} events "
          f"(written in {time.perf_counter() - started:.1f}s)")  # fmt: skip

    import conftest  # the suite's helpers: the same uvicorn server the browser tests use
    from conversations.models import Conversation

    server = conftest.start_asgi_server(tmp)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here stay plain ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    url = f"{server.url}/conversations/{conversation.pk}/"
    # The badge reads "idle" once the socket is live on a conversation with no turn running.
    live = "() => ['live', 'idle'].includes(document.getElementById('connection').dataset.state)"
    ways = {
        "history from REST, then the socket's tail": (
            f"() => document.getElementById('timeline').dataset.history === 'done' && ({live})()"
        ),
        "the whole log replayed over the socket (old way)": (
            f"() => document.getElementById('timeline').dataset.lastSeq === '{events}'"
        ),
    }
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=conftest.CHROMIUM, args=conftest.CHROMIUM_ARGS
            )
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(300_000)
            page.goto(f"{server.url}/login/")
            page.get_by_label("Username").fill("bench")
            page.get_by_label("Password").fill("bench-pass-123")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{server.url}/")
            for label, done_js in ways.items():
                old = not label.startswith("history")
                if old and not args.old_way:
                    continue
                runs_here = 1 if old else args.runs
                # A page sees a running conversation as unsettled and replays its log.
                status = "completed" if label.startswith("history") else "running"
                Conversation.objects.filter(pk=conversation.pk).update(status=status)
                runs = [measure(page, url, entries, done_js) for _ in range(runs_here)]
                summary = ", ".join(
                    f"{name} {statistics.median(r[name] for r in runs):.0f} ms"
                    for name in (
                        "html",
                        "dom",
                        "history_start",
                        "history",
                        "first",
                        "screen",
                        "all",
                    )  # fmt: skip
                )
                print(f"{label}: {summary} (median of {runs_here} runs; HTML received, DOM "
                      f"ready, first history page asked and received, first entry, first "
                      f"screen, all {entries} entries painted, from navigation start)")  # fmt: skip
            browser.close()
    finally:
        conftest.stop_process(server.proc)


if __name__ == "__main__":
    main()
