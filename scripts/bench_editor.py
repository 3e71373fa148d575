"""Benchmark the graph editor in Chromium on a large graph (200 agents, 600 handoffs unless told).

Creates a throw-away SQLite database, starts the real ASGI server, signs in and measures:
  * load: from navigation to the first painted frame with the cards on the canvas (median of runs);
  * pan: frame times while dragging the canvas (mean and 95th percentile, and the drag's duration);
  * zoom: time for a fit view.
Prints the numbers; it asserts nothing (timings are benchmarks, never tests).

    make bench-editor                     # 200/600
    make bench-editor SIZE=500/2000       # 500 agents, 2,000 handoffs
    .venv/bin/python scripts/bench_editor.py [--size 500/2000 | --agents N --handoffs M] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_graph(agents: int, handoffs: int):
    from django.contrib.auth import get_user_model

    from agents import services
    from workspaces.services import workspace_create

    user = get_user_model().objects.create_user("bench", password="bench-pass-123")
    workspace = workspace_create(actor=user, name="Bench")
    graph = services.graph_create(actor=user, workspace=workspace, name="Big graph")
    columns = 20
    created = [
        services.agent_create(
            actor=user,
            graph=graph,
            name=f"agent-{i:03d}",
            description=f"Agent number {i}, handles topic {i % 17}.",
            instructions="Answer briefly.",
            tools=[{"type": "web_search"}] if i % 5 == 0 else [],
            position_x=(i % columns) * 280.0,
            position_y=(i // columns) * 160.0,
        )
        for i in range(agents)
    ]
    per_agent = handoffs // agents
    steps = [1, 7, 31, 53, 97][:per_agent]
    for i, agent in enumerate(created):
        targets = [created[(i + step) % agents].pk for step in steps]
        services.agent_update(actor=user, agent=agent, changes={}, handoffs=targets)
    services.graph_update(actor=user, graph=graph, entry_agent_id=created[0].pk)
    return user, graph


TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
FRAME_PROBE = """() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    window.__raf = requestAnimationFrame(tick);
  };
  window.__raf = requestAnimationFrame(tick);
}"""


# Where a load's time goes: the HTML (server), the script parsed and run, the first cards.
PHASES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const out = {html: nav.responseEnd, dom_ready: nav.domContentLoadedEventEnd};
  for (const m of performance.getEntriesByType("mark")) {
    if (m.name.startsWith("editor:") && !(m.name in out)) out[m.name] = m.startTime;
  }
  out.long_tasks_ms = (window.__longTasks || []).reduce((sum, t) => sum + t.duration, 0);
  return out;
}"""
# Main-thread tasks over 50 ms (script, style, layout, paint), summed in the phases above.
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries()))
  .observe({type: "longtask", buffered: true});"""


def profile_load(page, url: str, top: int) -> None:
    """One more load under Chromium's sampling profiler: self time per function and script."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    cdp.send("Profiler.start")
    page.goto(url, wait_until="commit")
    page.locator(".react-flow__node .agent-card").first.wait_for()
    page.evaluate(TWO_FRAMES)
    profile = cdp.send("Profiler.stop")["profile"]
    nodes = {node["id"]: node for node in profile["nodes"]}
    deltas = dict.fromkeys(nodes, 0.0)
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        deltas[sample] += delta / 1000
    totals: dict[str, float] = {}
    for node_id, ms in deltas.items():
        frame = nodes[node_id]["callFrame"]
        where = frame["url"].rsplit("/", 1)[-1] or "(native)"
        key = f"{frame['functionName'] or '(anonymous)'} @ {where}:{frame['lineNumber']}"
        totals[key] = totals.get(key, 0.0) + ms
    print(f"profile of one load, top {top} by self time:")
    for key, ms in sorted(totals.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {ms:7.1f} ms  {key}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--handoffs", type=int, default=600)
    parser.add_argument("--size", help="AGENTS/HANDOFFS, e.g. 500/2000 (overrides both)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--profile", type=int, default=0, help="print the N costliest functions of one load"
    )
    args = parser.parse_args()
    if args.size:
        agents, _, handoffs = args.size.partition("/")
        args.agents, args.handoffs = int(agents), int(handoffs or 3 * int(agents))

    tmp = Path(tempfile.mkdtemp(prefix="bench-editor-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    _, graph = build_graph(args.agents, args.handoffs)
    from agents.models import HandoffEdge

    edges = HandoffEdge.objects.filter(source__graph=graph).count()
    built = time.perf_counter() - started
    print(f"graph: {args.agents} agents, {edges} handoffs (built in {built:.1f}s)")

    import conftest  # the suite's helpers: the same uvicorn server the browser tests use

    server = conftest.start_asgi_server(tmp)
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=conftest.CHROMIUM, args=conftest.CHROMIUM_ARGS
            )
            # The app's CSP forbids eval; Playwright's polling needs it (the page's own code not).
            context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
            page = context.new_page()
            page.add_init_script(LONG_TASKS)
            page.set_default_timeout(60_000)
            page.goto(f"{server.url}/login/")
            page.get_by_label("Username").fill("bench")
            page.get_by_label("Password").fill("bench-pass-123")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{server.url}/")
            url = f"{server.url}/graphs/{graph.pk}/edit/"

            loads, phases = [], []
            for _ in range(args.runs):
                page.goto(url, wait_until="commit")
                page.wait_for_function(
                    "document.querySelectorAll('.react-flow__node .agent-card').length > 0 && "
                    "getComputedStyle(document.querySelector('.react-flow__node')).visibility "
                    "!== 'hidden'"
                )
                page.evaluate(TWO_FRAMES)
                loads.append(
                    page.evaluate("performance.now()")  # since this document's navigation started
                )
                phases.append(page.evaluate(PHASES))
                # The next load starts once this one's own requests (validation) are answered:
                # otherwise the server is still busy with them when the next page is asked for.
                page.wait_for_load_state("networkidle")
            rendered = page.locator(".react-flow__node").count()
            edges_dom = page.locator(".react-flow__edge").count()
            # A large graph zoomed out draws its handoffs as one picture (OverviewEdges.jsx).
            pictured = page.evaluate(
                "Number(document.querySelector('.overview-edges')?.dataset.edges || 0)"
            )
            print(
                f"load: median {statistics.median(loads):.0f} ms "
                f"(runs: {', '.join(f'{x:.0f}' for x in loads)}); "
                f"{rendered} cards and {edges_dom} edges in the DOM after fit view"
                + (f", {pictured} more drawn as the overview picture" if pictured else "")
            )
            median = {k: statistics.median(p[k] for p in phases) for k in phases[0]}
            print(
                "load phases (median, ms since navigation): "
                + ", ".join(f"{k} {v:.0f}" for k, v in median.items())
            )
            if args.profile:
                tasks = page.evaluate(
                    "() => window.__longTasks.map(t => [t.startTime, t.duration].map(Math.round))"
                )
                print(f"long tasks of the last load [start, duration ms]: {tasks}")
                profile_load(page, url, args.profile)

            def pan(label: str) -> None:
                box = page.locator(".react-flow__pane").bounding_box()
                x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
                page.evaluate(FRAME_PROBE)
                t0 = time.perf_counter()
                page.mouse.move(x, y)
                page.mouse.down()
                for i in range(1, 61):
                    page.mouse.move(x - i * 8, y - i * 4)
                page.mouse.up()
                page.evaluate("() => new Promise(r => requestAnimationFrame(r))")
                elapsed = (time.perf_counter() - t0) * 1000
                frames = page.evaluate(
                    "() => { cancelAnimationFrame(window.__raf); return window.__frames; }"
                )
                frames = sorted(frames[1:]) or [0]
                p95 = frames[int(len(frames) * 0.95) - 1] if len(frames) > 1 else frames[0]
                print(
                    f"pan ({label}): 60 moves in {elapsed:.0f} ms, {len(frames)} frames, "
                    f"mean frame {statistics.mean(frames):.1f} ms, p95 {p95:.1f} ms, "
                    f"worst {frames[-1]:.1f} ms"
                )

            pan("whole graph in view")
            # Zoomed in: the editor renders only what is visible on large graphs.
            page.locator(".react-flow__pane").hover()
            for _ in range(6):
                page.mouse.wheel(0, -300)
            page.wait_for_timeout(300)
            print(
                f"zoomed in: {page.locator('.react-flow__node').count()} cards and "
                f"{page.locator('.react-flow__edge').count()} edges in the DOM (viewport "
                + page.evaluate("document.querySelector('.react-flow__viewport').style.transform")
                + ")"
            )
            pan("zoomed in")
            t0 = time.perf_counter()
            page.keyboard.press("f")
            page.wait_for_timeout(250)  # the fit view animation lasts 200 ms
            page.evaluate("() => new Promise(r => requestAnimationFrame(r))")
            print(f"fit view: {(time.perf_counter() - t0) * 1000:.0f} ms (200 ms of it animation)")
            browser.close()
    finally:
        conftest.stop_process(server.proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
