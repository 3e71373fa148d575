"""Branching in real Chromium: "Branch from here" on a message, the dialog, the new branch's page
and the tree with its siblings, against the live server, a worker and the sandbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agents.services import agent_create, graph_create
from conversations.models import Conversation
from conversations.services import conversation_send_message, conversation_start
from conversations.tests.test_browser_ui import UUID, unnamed_controls, wait_status
from tests.helpers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _finished(conversation_id):
    return Conversation.objects.get(pk=conversation_id).status == "completed"


def _wait_for_other_page(page, conversation_id):
    pattern = re.compile(rf"/conversations/{UUID}/$")
    page.wait_for_url(lambda url: bool(pattern.search(url)) and str(conversation_id) not in url)


def test_branch_from_a_message_then_the_tree_and_siblings(
    team, signed_in_page, asgi_server, celery_worker_process
):
    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Echo")
    agent = agent_create(actor=members["admin"], graph=graph, name="helper", description="Helps")
    parent = conversation_start(actor=members["operator"], agent=agent, inputs="one")
    wait_for(lambda: _finished(parent.pk), timeout=60)
    parent.refresh_from_db()
    conversation_send_message(actor=members["operator"], conversation=parent, inputs="two")
    wait_for(lambda: _finished(parent.pk), timeout=60)

    page = signed_in_page(members["operator"])
    page.goto(f"{asgi_server.url}/conversations/{parent.pk}/")
    wait_status(page, "Completed")
    expect(page.get_by_text("No branches yet.")).to_be_visible()
    buttons = page.get_by_role("button", name="Branch from this message")
    expect(buttons).to_have_count(2)
    expect(page.get_by_role("button", name="Branch from this agent output")).to_have_count(2)
    buttons.nth(1).click()
    dialog = page.get_by_role("dialog", name="Branch from here")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Message for the branch")).to_have_value("two")
    assert unnamed_controls(page) == []
    dialog.get_by_label("Message for the branch").fill("deux")
    dialog.get_by_role("button", name="Create branch").click()
    _wait_for_other_page(page, parent.pk)
    first_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert first_id != str(parent.pk)
    wait_status(page, "Completed")
    timeline = page.locator("#timeline")
    expect(timeline.locator("[data-kind=user]")).to_have_count(2)
    expect(timeline.locator("[data-kind=user]").nth(0)).to_contain_text("one")
    expect(timeline.locator("[data-kind=user]").nth(1)).to_contain_text("deux")
    expect(timeline.locator("[data-kind=message]")).to_have_count(2)
    panel = page.get_by_role("navigation", name="Branches")
    expect(panel).to_contain_text("Branch of")
    expect(panel).to_contain_text("from entry 3")

    # A second branch from the same entry: siblings, navigable both ways.
    page.goto(f"{asgi_server.url}/conversations/{parent.pk}/")
    wait_status(page, "Completed")
    page.get_by_role("button", name="Branch from this message").nth(1).click()
    dialog.get_by_label("Message for the branch").fill("drei")
    dialog.get_by_label("The versions this conversation ran with").check()
    dialog.get_by_role("button", name="Create branch").click()
    _wait_for_other_page(page, parent.pk)
    wait_status(page, "Completed")
    expect(panel).to_contain_text("Branch 2 of 2")
    expect(panel).to_contain_text("original agent versions")
    page.get_by_role("link", name="Previous branch").click()
    page.wait_for_url(f"{asgi_server.url}/conversations/{first_id}/")
    expect(panel).to_contain_text("Branch 1 of 2")
    tree = panel.get_by_role("list", name="Branch tree")
    titles = tree.get_by_role("link").filter(has_not_text="Compare")
    expect(titles).to_have_count(2)  # the root and the sibling; not itself
    expect(tree.get_by_role("link", name=re.compile("^Compare with"))).to_have_count(2)
    tree.get_by_role("link", name="one", exact=True).click()
    page.wait_for_url(f"{asgi_server.url}/conversations/{parent.pk}/")
    expect(page.get_by_role("list", name="Branch tree").locator("li")).to_have_count(3)

    # Branching while it runs: the dialog names the conflict.
    Conversation.objects.filter(pk=parent.pk).update(status="running")
    page.get_by_role("button", name="Branch from this message").first.click()
    dialog.get_by_role("button", name="Create branch").click()
    expect(dialog.get_by_role("alert")).to_contain_text("running")


def test_a_viewer_sees_the_tree_but_no_branch_buttons(team, signed_in_page, asgi_server):
    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Echo")
    agent = agent_create(actor=members["admin"], graph=graph, name="helper", description="Helps")
    conversation = conversation_start(actor=members["operator"], agent=agent, inputs="one")
    page = signed_in_page(members["viewer"])
    page.goto(f"{asgi_server.url}/conversations/{conversation.pk}/")
    expect(page.get_by_role("navigation", name="Branches")).to_contain_text("No branches yet.")
    expect(page.locator("#timeline [data-kind=user]")).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("Branch from"))).to_have_count(0)


def test_compare_a_branch_with_its_parent_after_an_instruction_change(
    team, signed_in_page, asgi_server, celery_worker_process
):
    from agents.services import agent_update
    from conversations.services.branches import conversation_branch

    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Echo")
    agent = agent_create(
        actor=members["admin"], graph=graph, name="helper", description="Helps",
        instructions="Short.",
    )  # fmt: skip
    parent = conversation_start(actor=members["operator"], agent=agent, inputs="one")
    wait_for(lambda: _finished(parent.pk), timeout=60)
    parent.refresh_from_db()
    agent_update(
        actor=members["editor"], agent=agent, changes={"instructions": "Much longer now. " * 50}
    )
    first = parent.entries.get(position=0)
    branch = conversation_branch(
        actor=members["operator"], parent=parent, from_entry=first.pk, inputs="uno"
    )
    wait_for(lambda: _finished(branch.pk), timeout=60)

    page = signed_in_page(members["viewer"])
    page.goto(f"{asgi_server.url}/conversations/{branch.pk}/")
    wait_status(page, "Completed")
    page.get_by_role("link", name="Compare with one").click()
    expect(page.get_by_role("heading", name="Compare conversations of Echo")).to_be_visible()
    sides = page.locator("#compare-sides")
    expect(sides.get_by_role("link", name="uno")).to_be_visible()
    expect(sides.get_by_role("row", name=re.compile("^Tokens"))).to_be_visible()
    expect(sides.get_by_role("row", name=re.compile("^Cost"))).to_be_visible()
    versions = page.get_by_role("region", name="Agent versions that differ")
    expect(versions).to_contain_text("helper: version")
    expect(versions.get_by_role("row", name=re.compile("^instructions"))).to_contain_text(
        "Much longer now."
    )
    steps = page.get_by_role("table", name="Steps side by side")
    cells = steps.get_by_role("cell")
    expect(cells).to_have_count(4)  # two steps, two sides
    expect(cells.nth(0)).to_contain_text("uno")  # left: the branch, whose page it came from
    expect(cells.nth(1)).to_contain_text("one")
    assert cells.nth(1).get_attribute("data-diff") == "changed"
    assert unnamed_controls(page) == []
