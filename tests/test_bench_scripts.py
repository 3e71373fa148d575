"""The browser benchmarks run to the end on a small input (their numbers are never asserted: a
benchmark that waits forever for a page state the page no longer reaches measures nothing)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import conftest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.integration


def _run(script: str, *args: str) -> str:
    conftest.require_chromium()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agentstudio.settings.test"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_bench_page_measures_a_settled_conversation_to_the_end():
    out = _run("bench_page.py", "--turns", "30", "--runs", "1")
    assert "history from REST, then the socket's tail: html" in out
    assert "all 60 entries painted" in out
    assert "the whole log replayed over the socket (old way): html" in out


def test_bench_editor_measures_load_pan_and_zoom():
    out = _run("bench_editor.py", "--size", "20/40", "--runs", "1")
    assert "load: median" in out and "20 cards and 40 edges in the DOM" in out, out
    assert "pan (zoomed in): 60 moves" in out and "fit view:" in out, out
