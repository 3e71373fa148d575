"""A suite through the real stack: its cases run as conversations in a real worker against the
sandbox, function calls answered from the case (as the suite), one case passing and one failing
(a path the graph does not take), and `manage.py run_suite`'s exit codes."""

import subprocess
import sys

import pytest

from audit.models import AuditEntry
from conftest import ROOT, process_env
from evaluations.models import SuiteRun
from evaluations.tests.conftest import passing_and_failing_cases
from tests.helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _run_to_end(api, run_id, timeout=90):
    def finished():
        code, run = api.get(f"/api/suite-runs/{run_id}/")
        assert code == 200, run
        return run if run["status"] == "completed" else None

    return wait_for(finished, timeout=timeout, interval=0.3, what="the suite run")


def test_a_suite_with_a_passing_and_a_failing_case_and_the_cli(
    team, support_graph, api_for, celery_worker_process
):
    _, members = team
    editor = api_for(members["editor"])
    code, suite = editor.post(
        f"/api/graphs/{support_graph.pk}/suites/",
        {"name": "routing", "cases": passing_and_failing_cases()},
    )
    assert code == 201, suite
    operator = api_for(members["operator"])
    code, run = operator.post(f"/api/suites/{suite['id']}/runs/")
    assert code == 201, run
    assert run["status"] == "running" and run["revision"] == support_graph.revision
    assert [c["status"] for c in run["cases"]] == ["running", "running"]
    run = _run_to_end(operator, run["id"])
    assert (run["passed"], run["failed"]) == (1, 1), [c["failures"] for c in run["cases"]]
    good, bad = run["cases"]
    assert good["status"] == "passed" and good["path"] == ["router", "billing"], good
    assert good["failures"] == [] and good["conversation"]
    assert [c["name"] for c in good["function_calls"]] == ["lookup_invoice"]
    assert bad["status"] == "failed" and bad["path"] == ["router"]
    assert bad["failures"] == ["path: expected billing in this order within router"]
    # The answer went through the pending-action service, audited as the suite.
    [answered] = AuditEntry.objects.filter(action="pending.resolve")
    assert answered.actor == members["operator"] and answered.after["result"].endswith(
        "paid in full"
    )
    assert "suite run" in answered.request and "invoice goes to billing" in answered.request
    code, conversation = operator.get(f"/api/conversations/{good['conversation']}/")
    assert conversation["status"] == "completed"

    def cli(rate):
        return subprocess.run(
            [sys.executable, "manage.py", "run_suite", suite["id"], "--fail-under", rate,
             "--timeout", "90"],
            cwd=ROOT, env=process_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    strict = cli("0.9")
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "Pass rate 0.50 (1/2)" in strict.stdout and "Below --fail-under 0.90" in strict.stderr
    lenient = cli("0.5")
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    assert "passed  invoice goes to billing: router → billing" in lenient.stdout
    assert SuiteRun.objects.filter(suite_id=suite["id"], status="completed").count() == 3
