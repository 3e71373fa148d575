"""Retake docs/trace-phoenix.png: send the recorded example B log as a trace to a local Arize
Phoenix (`phoenix serve`, OTLP on http://127.0.0.1:6006) and photograph it in Chromium.

Phoenix is not a project dependency: run it from its own virtualenv (`pip install arize-phoenix`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHOENIX = os.environ.get("PHOENIX_URL", "http://127.0.0.1:6006")
AGENT_IDS = {
    "finance-agent": "ag_finance",
    "ecb-interest-rate-agent": "ag_20f2174797b74e2bb8a721ab278b3095",
    "graph-drawing-agent": "ag_d7e6e9a1d34e44fabd2e7d75fec4b4bb",
}


def send() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.test")
    os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = PHOENIX
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from observability import otlp
    from observability.spans import AgentMeta, ConversationMeta, build_spans

    fixture = ROOT / "conversations" / "tests" / "fixtures" / "handoffs_example_b.jsonl"
    events = [json.loads(line) for line in fixture.read_text().splitlines()]
    pending = [e["data"]["id"] for e in events if e["type"] == "pending.created"]
    meta = ConversationMeta(
        id="5b1d0c7e-8f0a-4a7e-9a51-0b6e2f9d4c11",
        entry_agent="finance-agent",
        agents={
            name: AgentMeta(id=agent_id, name=name, model="mistral-medium-latest")
            for name, agent_id in AGENT_IDS.items()
        },
        answered_by={pending_id: "ada" for pending_id in pending},
    )
    problem = otlp.export(build_spans(events, meta))
    if problem:
        raise SystemExit(f"export failed: {problem}")


def photograph(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{PHOENIX}/projects", wait_until="networkidle")
        page.locator("a[href*='/projects/']").first.click()
        page.locator("table tbody tr").first.click()
        page.get_by_text("invoke_agent finance-agent").first.wait_for()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out))
        browser.close()


if __name__ == "__main__":
    send()
    photograph(ROOT / "docs" / "trace-phoenix.png")
