"""The audit page in real Chromium against the real ASGI server: a workspace admin follows the
header link, filters, and downloads the CSV; the trail shows their own sign-in and the failure
before it."""

from __future__ import annotations

import csv
import io

import pytest

from agents import services
from workspaces.services import workspace_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_reads_filters_and_exports_the_trail(page, asgi_server, make_user, tmp_path):
    ada = make_user("ada")
    workspace = workspace_create(actor=ada, name="Ops")
    services.graph_create(actor=ada, workspace=workspace, name="Routing")

    page.goto(f"{asgi_server.url}/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("pw-secret-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{asgi_server.url}/")

    page.get_by_role("link", name="Audit").click()
    page.wait_for_url(f"**/workspaces/{workspace.pk}/audit/")
    table = page.locator(".audit-table")
    assert "graph.create" in table.inner_text()
    assert "workspace.create" in table.inner_text()

    page.get_by_label("Action").select_option("graph.create")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**action=graph.create**")
    assert page.locator(".audit-table tr.audit-entry").count() == 1  # the one graph
    page.locator("tr.audit-change summary").click()
    assert "Routing" in page.locator(".audit-diff tr.diff-added", has_text="name").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    path = tmp_path / "audit.csv"
    download.value.save_as(path)
    exported = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [(r["action"], r["object_repr"]) for r in exported] == [("graph.create", "Routing")]


def test_before_and_after_read_side_by_side_full_width(page, asgi_server, make_user):
    ada = make_user("ada")
    workspace = workspace_create(actor=ada, name="Ops")
    graph = services.graph_create(actor=ada, workspace=workspace, name="Routing")
    agent = services.agent_create(
        actor=ada, graph=graph, name="triage", instructions="Route each request."
    )
    services.agent_update(
        actor=ada,
        agent=agent,
        changes={"instructions": "Route each request to the specialised-billing-department."},
    )
    page.goto(f"{asgi_server.url}/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("pw-secret-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{asgi_server.url}/")
    page.goto(f"{asgi_server.url}/workspaces/{workspace.pk}/audit/?action=agent.update")

    entry = page.locator("tr.audit-entry")
    assert entry.count() == 1
    assert "instructions" in entry.inner_text()  # the summary names what changed
    page.locator("tr.audit-change summary").click()
    changed = page.locator(
        ".audit-diff tr.diff-changed", has=page.locator("th", has_text="instructions")
    )
    before, after = changed.locator("td").nth(0), changed.locator("td").nth(1)
    assert "Route each request." in before.inner_text()
    assert "specialised-billing-department" in after.inner_text()
    b, a = before.bounding_box(), after.bounding_box()
    assert abs(b["y"] - a["y"]) < 2 and a["x"] > b["x"] + b["width"] - 2  # side by side
    table = page.locator(".audit-table").first.bounding_box()
    diff = page.locator(".audit-diff").bounding_box()
    assert diff["width"] > table["width"] * 0.9  # full width, not one narrow column
    assert a["width"] > 300
