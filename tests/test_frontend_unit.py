"""The editor's JavaScript unit tests (vitest: the store and the document logic, frontend/tests/)
as part of `make test`. They need Node and frontend/node_modules (`make assets` installs it, as
CI does before the suite); without them they skip, unless REQUIRE_BROWSER is set (CI): then they
fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
VITEST = FRONTEND / "node_modules" / ".bin" / "vitest"


def test_the_editor_unit_tests_pass(tmp_path):
    if shutil.which("node") is None or not VITEST.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(
                "node or frontend/node_modules is missing (make assets) and REQUIRE_BROWSER is set"
            )
        pytest.skip("node or frontend/node_modules is missing (run `make assets`)")
    report = tmp_path / "vitest.json"
    done = subprocess.run(
        [str(VITEST), "run", "--reporter=json", f"--outputFile={report}"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert report.exists(), done.stdout + done.stderr
    result = json.loads(report.read_text())
    failures = [
        f"{test['fullName']}: {' '.join(test.get('failureMessages', []))[:500]}"
        for suite in result["testResults"]
        for test in suite["assertionResults"]
        if test["status"] != "passed"
    ]
    assert not failures, "\n".join(failures)
    assert done.returncode == 0, done.stderr
    # The store and the document logic are both covered (a renamed file must not drop out).
    files = {Path(suite["name"]).name for suite in result["testResults"]}
    assert {"store.test.js", "doc.test.js", "layout.test.js"} <= files, files
    assert result["numPassedTests"] >= 25
