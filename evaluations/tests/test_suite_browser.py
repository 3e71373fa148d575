"""The suite page in real Chromium: run it, watch the progress bar, read the results (the
failure linked to its conversation) and the pass rate over revisions; then save a
conversation as a test case from its page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conversations.tests.test_browser_ui import unnamed_controls, wait_status
from evaluations.models import Case
from evaluations.services import suite_create
from evaluations.tests.conftest import passing_and_failing_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_a_suite_from_its_page_then_save_a_case(
    team, support_graph, signed_in_page, asgi_server, celery_worker_process
):
    _, members = team
    suite = suite_create(
        actor=members["editor"], graph=support_graph, name="routing",
        cases=passing_and_failing_cases(),
    )  # fmt: skip
    page = signed_in_page(members["editor"])
    page.goto(f"{asgi_server.url}/")
    page.get_by_role("link", name="Routing suites of Support").click()
    page.get_by_role("link", name="routing").click()
    expect(page.get_by_role("heading", name="Suite routing")).to_be_visible()
    expect(page.get_by_text("No completed runs yet.")).to_be_visible()
    assert unnamed_controls(page) == []
    page.get_by_role("button", name="Run suite").click()
    progress = page.get_by_role("progressbar", name="Cases finished")
    expect(progress).to_be_visible()
    expect(page.get_by_role("heading", name="Latest run: 1 passed, 1 failed of 2")).to_be_visible(
        timeout=90_000
    )
    rows = page.locator("#latest-results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("passed")
    expect(rows.nth(0)).to_contain_text("router → billing")
    expect(rows.nth(1)).to_contain_text("path: expected billing in this order within router")
    expect(page.locator(".rate-point")).to_have_count(1)
    expect(page.locator(".rate-point")).to_have_attribute("data-rate", "0.50")
    expect(page.locator("#run-history tbody tr")).to_have_count(1)

    page.get_by_role("link", name="Conversation of case invoice goes to billing").click()
    wait_status(page, "Completed")
    form = page.get_by_role("region", name="Save as test case")
    expect(form.get_by_label("Suite")).to_have_value(str(suite.pk))
    form.get_by_label("Case name").fill("saved from the page")
    form.get_by_role("button", name="Save as test case").click()
    expect(form.get_by_role("status")).to_contain_text("Saved as case")
    case = Case.objects.get(suite=suite, name="saved from the page")
    assert case.expect["path"] == ["router", "billing"]
    assert case.answers == {"lookup_invoice": "Invoice A-1234: paid in full"}
