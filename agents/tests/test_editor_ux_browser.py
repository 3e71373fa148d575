"""The editor in real Chromium at 1280 and 390 px: the atomic save and a stale one from a second
tab, the left-to-right first layout, new agents placed in view, the import choice, and the phone
layout (bottom sheet, no minimap, toolbar menu)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from agents.demo import FINANCE
from agents.models import Agent, Graph
from agents.services import graph_import
from agents.tests.test_editor_browser import card, open_editor, save, wait_still
from audit.models import AuditEntry
from workspaces.models import Membership
from workspaces.services import workspace_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def watch_errors(page):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert errors == []


@pytest.fixture
def finance(make_user):
    owner = make_user("owner")
    workspace = workspace_create(actor=owner, name="Finance team")
    editor = make_user("editor")
    Membership.objects.create(workspace=workspace, user=editor, role="editor")
    graph = graph_import(actor=owner, workspace=workspace, document=FINANCE)
    return graph, {"owner": owner, "editor": editor}


def writes(page) -> list[str]:
    """Every API request that is not a read, as "METHOD path"."""
    seen: list[str] = []
    page.on(
        "request",
        lambda r: (
            seen.append(f"{r.method} {r.url.split('://', 1)[1].split('/', 1)[1]}")
            if "/api/" in r.url and r.method != "GET"
            else None
        ),
    )
    return seen


def box(page, name):
    return card(page, name).bounding_box()


def test_demo_graph_opens_left_to_right_and_saves_in_one_request(
    signed_in_page, asgi_server, finance, watch_errors
):
    """FINANCE has no positions (never laid out): it opens laid out along its handoffs, left to
    right, without unsaved changes; a save is one PUT of the whole document."""
    graph, users = finance
    assert set(Agent.objects.filter(graph=graph).values_list("position_x", flat=True)) == {0}
    page = signed_in_page(users["editor"])
    sent = writes(page)
    open_editor(page, asgi_server.url, graph)
    expect(page.get_by_text("All changes saved")).to_be_visible()
    # React Flow reads the sizes from our nodes: the minimap draws every card.
    expect(page.locator(".react-flow__minimap-node")).to_have_count(len(FINANCE["agents"]))
    for source in FINANCE["agents"]:
        for target in source["handoffs"]:
            assert box(page, target)["x"] > box(page, source["name"])["x"] + 100, (source, target)
    # The handoffs run from a card's right handle to the next card's left one.
    finance_box, ecb_box = box(page, "finance-agent"), box(page, "ecb-interest-rate-agent")
    assert finance_box["x"] + finance_box["width"] < ecb_box["x"]

    card(page, "calculator-agent").click()
    page.get_by_label("Description", exact=True).fill("Adds things up.")
    page.get_by_role("button", name="Add agent").click()
    page.get_by_label("Name", exact=True).fill("auditor")
    revision = graph.revision
    save(page)
    assert sent == [f"PUT api/graphs/{graph.pk}/document/"]
    graph.refresh_from_db()
    assert graph.revision == revision + 1  # one step for the whole save, told by the server
    expect(page.locator(".canvas-stats")).to_contain_text(f"revision {graph.revision}")
    assert Agent.objects.get(graph=graph, name="calculator-agent").description == "Adds things up."
    assert Agent.objects.filter(graph=graph, name="auditor").exists()
    # The laid-out positions were saved with it: the next open shows the same picture.
    assert len(set(Agent.objects.filter(graph=graph).values_list("position_x", flat=True))) > 2


def test_a_stale_save_from_a_second_tab_changes_nothing(
    browser, signed_in_page, asgi_server, finance, watch_errors
):
    graph, users = finance
    first = signed_in_page(users["editor"])
    open_editor(first, asgi_server.url, graph)
    second = first.context.new_page()  # a second tab of the same session
    open_editor(second, asgi_server.url, graph)

    card(second, "websearch-agent").click()
    second.get_by_label("Instructions", exact=True).fill("Second tab.")
    save(second)

    sent = writes(first)
    before_audit = AuditEntry.objects.count()
    first.get_by_role("button", name="Add agent").click()
    first.get_by_label("Name", exact=True).fill("first-tab-agent")
    card(first, "websearch-agent").click()
    first.get_by_label("Instructions", exact=True).fill("First tab.")
    first.get_by_role("button", name="Save", exact=True).click()
    banner = first.get_by_role("alert").filter(has_text="Conflict")
    expect(banner).to_contain_text("someone else changed this graph")
    assert sent == [f"PUT api/graphs/{graph.pk}/document/"]
    # All or nothing: neither the new agent nor the change landed, and no audit row.
    assert not Agent.objects.filter(name="first-tab-agent").exists()
    assert Agent.objects.get(graph=graph, name="websearch-agent").instructions == "Second tab."
    assert AuditEntry.objects.count() == before_audit
    expect(first.get_by_text("● Unsaved changes")).to_be_visible()

    banner.get_by_role("button", name="Reload the graph").click()
    first.get_by_text("All changes saved").wait_for()
    card(first, "websearch-agent").click()
    assert first.get_by_label("Instructions", exact=True).input_value() == "Second tab."


def test_a_new_agent_lands_in_view_not_under_the_inspector(
    signed_in_page, asgi_server, finance, watch_errors
):
    graph, users = finance
    page = signed_in_page(users["editor"])
    open_editor(page, asgi_server.url, graph)
    # Pan far away from the graph, then add two agents.
    pane = page.locator(".react-flow__pane").bounding_box()
    page.mouse.move(pane["x"] + 200, pane["y"] + 200)
    page.mouse.down()
    page.mouse.move(pane["x"] + 600, pane["y"] + 500, steps=6)
    page.mouse.up()
    canvas = page.locator(".editor-canvas").bounding_box()
    side = page.locator(".editor-side").bounding_box()
    for name in ("New agent", "New agent 2"):
        page.keyboard.press("n")
        new = card(page, name)
        new.wait_for()
        wait_still(new)
        b = new.bounding_box()
        assert canvas["x"] <= b["x"] and b["x"] + b["width"] <= canvas["x"] + canvas["width"], b
        assert canvas["y"] <= b["y"] and b["y"] + b["height"] <= canvas["y"] + canvas["height"], b
        assert b["x"] + b["width"] <= side["x"], "under the inspector"
    first, second = box(page, "New agent"), box(page, "New agent 2")
    assert (
        abs(first["x"] - second["x"]) >= first["width"]
        or abs(first["y"] - second["y"]) >= (first["height"])
    )


def test_import_asks_new_graph_or_replace_this_one(
    signed_in_page, asgi_server, finance, watch_errors, tmp_path
):
    graph, users = finance
    other = graph_import(
        actor=users["owner"],
        workspace=graph.workspace,
        document={**FINANCE, "name": "Scratch", "entry_agent": None, "agents": []},
    )
    path = tmp_path / "finance.json"
    path.write_text(json.dumps(FINANCE))
    page = signed_in_page(users["editor"])
    page.goto(f"{asgi_server.url}/graphs/{other.pk}/edit/")
    page.get_by_text("All changes saved").wait_for()

    page.get_by_label("Import a graph from a JSON file").set_input_files(str(path))
    dialog = page.get_by_role("dialog", name="Import “Finance”")
    expect(dialog).to_contain_text("5 agents")
    expect(dialog).to_contain_text("already has a graph named “Finance”")
    dialog.get_by_role("button", name="Replace this graph").click()
    expect(dialog).to_be_hidden()
    card(page, "finance-agent").wait_for()
    expect(page.get_by_text("● Unsaved changes")).to_be_visible()
    assert not Agent.objects.filter(graph=other).exists()  # nothing saved until Save
    save(page)
    other.refresh_from_db()
    assert other.name == "Scratch"  # this graph, its name kept
    assert Agent.objects.filter(graph=other).count() == len(FINANCE["agents"])
    assert other.entry_agent.name == "finance-agent"
    assert Graph.objects.filter(workspace=graph.workspace).count() == 2  # no second "Finance"

    # Cancel changes nothing; a new graph gets a free name.
    page.get_by_label("Import a graph from a JSON file").set_input_files(str(path))
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    assert Graph.objects.filter(workspace=graph.workspace).count() == 2
    page.get_by_label("Import a graph from a JSON file").set_input_files(str(path))
    dialog.get_by_label("Name of the new graph").fill("Finance copy")
    dialog.get_by_role("button", name="Create a new graph").click()
    page.wait_for_url(lambda url: str(other.pk) not in url and url.endswith("/edit/"))
    new = Graph.objects.get(name="Finance copy")
    assert page.url.endswith(f"/graphs/{new.pk}/edit/")


def test_the_editor_on_a_phone(signed_in_page, asgi_server, finance, watch_errors):
    graph, users = finance
    page = signed_in_page(users["editor"])
    page.set_viewport_size(PHONE)
    open_editor(page, asgi_server.url, graph)

    # One toolbar row: title, state, Save and a menu holding the rest.
    toolbar = page.get_by_role("toolbar", name="Graph editor")
    assert toolbar.bounding_box()["height"] < 60
    assert toolbar.bounding_box()["width"] <= PHONE["width"]
    expect(page.get_by_role("button", name="Auto layout")).to_have_count(0)
    menu = toolbar.get_by_role("button", name="Menu")
    menu.click()
    expect(page.get_by_role("button", name="Auto layout")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Auto layout")).to_have_count(0)

    # No minimap to cover the cards or take their taps.
    expect(page.locator(".react-flow__minimap")).to_have_count(0)

    # The inspector is a bottom sheet: folded, then open on the selected agent.
    sheet = page.get_by_role("complementary", name="Details")
    folded = sheet.bounding_box()
    assert folded["height"] < 80
    assert abs(folded["y"] + folded["height"] - PHONE["height"]) < 2
    card(page, "finance-agent").click()
    name = page.get_by_label("Name", exact=True)
    expect(name).to_be_visible()
    open_box = sheet.bounding_box()
    assert open_box["width"] == PHONE["width"]
    assert abs(open_box["y"] + open_box["height"] - PHONE["height"]) < 2
    assert open_box["height"] <= PHONE["height"] * 0.6
    canvas = page.locator(".editor-canvas").bounding_box()
    assert canvas["width"] == PHONE["width"]
    name.fill("finance-router")
    expect(card(page, "finance-router")).to_have_count(1)

    # An agent added from the menu lands in the canvas above the sheet.
    menu.click()
    page.get_by_role("button", name="Add agent").click()
    new = card(page, "New agent")
    new.wait_for()
    wait_still(new)
    b, top = new.bounding_box(), sheet.bounding_box()["y"]
    assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"]
    assert canvas["y"] <= b["y"] and b["y"] + b["height"] <= top + 1, (b, top)
    save(page)
    assert Agent.objects.filter(graph=graph, name="finance-router").exists()
    assert Agent.objects.filter(graph=graph, name="New agent").exists()
