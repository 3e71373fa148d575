"""The page's sentences for failures and retries (`static/conversations/failures.js`), under Node,
for the errors the worker actually writes (integrations.mistral.backend, conversations.engine)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conversations.engine.stream import DROPPED_STREAM
from integrations.mistral.backend import NO_BACKEND

MODULE = Path(__file__).resolve().parents[2] / "static" / "conversations" / "failures.js"


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("node is missing and REQUIRE_BROWSER is set")
        pytest.skip("node is not installed")
    return found


def run(node: str, script: str):
    code = (
        f'import * as m from "{MODULE.as_uri()}";\nprocess.stdout.write(JSON.stringify({script}));'
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", code], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def describe(node: str, error: str) -> dict:
    return run(node, f"m.describeFailure({json.dumps(error)})")


SERVER_500 = (
    'The backend answered HTTP 500: {"object": "Error", "message": "Response failed during '
    'handoff orchestration", "type": "invalid_request_error", "code": 3000}'
)


def test_an_http_error_reads_as_a_sentence_with_the_raw_text_folded(node):
    out = describe(node, SERVER_500 + " (gave up after 10 retries)")
    assert out["sentence"] == (
        "The backend had an internal error (HTTP 500): Response failed during handoff "
        "orchestration. It still failed after 10 retries."
    )
    assert out["details"].startswith("The backend answered HTTP 500: {")


@pytest.mark.parametrize(
    ("error", "sentence", "folded"),
    [
        ("The backend answered HTTP 401: Unauthorized", "The backend refused the API key", True),
        (f"{DROPPED_STREAM} Detail: RemoteProtocolError: peer closed", DROPPED_STREAM, True),
        (
            "The backend could not be reached: ConnectError: [Errno 111] Connection refused",
            "The backend could not be reached.",
            True,
        ),
        (NO_BACKEND, NO_BACKEND, False),
        ("", "The turn failed.", False),
    ],
)
def test_each_kind_of_error_the_worker_writes(node, error, sentence, folded):
    out = describe(node, error)
    assert out["sentence"].startswith(sentence)
    assert bool(out["details"]) is folded


def test_the_retry_notice_counts_down_to_the_next_attempt(node):
    notice = {
        "attempt": 3,
        "max_attempts": 10,
        "status": 503,
        "delay_ms": 4000,
        "reason": "HTTP 503",
    }
    at = "2026-01-01T00:00:00Z"
    texts = run(
        node,
        f"[0, 1500, 4200].map((ms) => m.retryText({json.dumps(notice)}, "
        f'Date.parse("{at}") + ms, "{at}"))',
    )
    assert texts == [
        "Retrying (3/10) after 503 — next attempt in 4 s",
        "Retrying (3/10) after 503 — next attempt in 3 s",
        "Retrying (3/10) after 503 — trying again now",
    ]
    connection = {**notice, "status": None, "reason": "a connection error (ConnectError)"}
    text = run(node, f"m.retryText({json.dumps(connection)}, 0, null)")
    assert text == "Retrying (3/10) after a connection error (ConnectError) — next attempt in 4 s"
