"""Take docs/editor.png and docs/editor-phone.png: the editor showing the demo finance graph as it
first opens (laid out left to right, one agent selected) at 1440 px and at 390 px (the inspector a
bottom sheet), in Chromium against the real server on a throw-away SQLite database.

    .venv/bin/python scripts/screenshot_editor.py [--out PNG] [--phone-out PNG]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "editor.png"))
    parser.add_argument("--phone-out", default=str(ROOT / "docs" / "editor-phone.png"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="editor-shot-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'shot.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from agents.models import Graph

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user("ada", password="demo-pass-123")
    call_command("load_demo", owner="ada", verbosity=0)
    graph = Graph.objects.get(name__icontains="finance")

    import conftest

    server = conftest.start_asgi_server(tmp)
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=conftest.CHROMIUM, args=conftest.CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1440, "height": 860})
            page.goto(f"{server.url}/login/")
            page.get_by_label("Username").fill("ada")
            page.get_by_label("Password").fill("demo-pass-123")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{server.url}/")
            page.goto(f"{server.url}/graphs/{graph.pk}/edit/")
            page.locator(".react-flow__node").first.wait_for()
            page.get_by_text("All changes saved").wait_for()  # laid out on open, nothing to save
            page.locator(".react-flow__node", has_text="ecb-interest-rate-agent").click()
            page.keyboard.press("f")
            page.wait_for_timeout(800)
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out)
            print(f"wrote {args.out}")
            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            page.locator(".react-flow__node").first.wait_for()
            page.wait_for_timeout(500)
            page.locator(".react-flow__node", has_text="finance-agent").first.click()
            page.wait_for_timeout(500)
            page.screenshot(path=args.phone_out)
            print(f"wrote {args.phone_out}")
            browser.close()
    finally:
        conftest.stop_process(server.proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
