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
    table = page.get_by_role("table")
    assert "graph.create" in table.inner_text()
    assert "workspace.create" in table.inner_text()

    page.get_by_label("Action").select_option("graph.create")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**action=graph.create**")
    rows = page.get_by_role("table").get_by_role("row")
    assert rows.count() == 2  # header + the one graph
    page.get_by_text("details").click()
    assert '"name": "Routing"' in page.get_by_role("table").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    path = tmp_path / "audit.csv"
    download.value.save_as(path)
    exported = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [(r["action"], r["object_repr"]) for r in exported] == [("graph.create", "Routing")]
