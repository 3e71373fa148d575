"""An approval decided on the conversation page in real Chromium: the tool policy asks, the
page offers Approve / Reject in place, approving runs the MCP tool and the run completes."""

from __future__ import annotations

import re

import pytest

from agents.services import agent_create, graph_create
from conversations.services.mcp import agent_tool_policy_set, mcp_server_attach
from conversations.tests.test_mcp_tools import stdio_fields
from workspaces.services import workspace_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UUID = r"[0-9a-f-]{36}"


def test_approve_in_place_on_the_conversation_page(
    make_user, signed_in_page, asgi_server, celery_worker_process
):
    owner = make_user("ada")
    workspace = workspace_create(actor=owner, name="Economy")
    graph = graph_create(actor=owner, workspace=workspace, name="Economy")
    agent = agent_create(actor=owner, graph=graph, name="economist", description="Figures")
    graph.entry_agent = agent
    graph.save(update_fields=["entry_agent"])
    server = mcp_server_attach(actor=owner, agent=agent, fields=stdio_fields())
    assert not server.tools_error, server.tools_error
    agent_tool_policy_set(
        actor=owner, agent=agent, policy={"rules": [{"tools": ["lookup_*"], "decision": "ask"}]}
    )

    page = signed_in_page(owner)
    page.goto(f"{asgi_server.url}/graphs/{graph.pk}/start/")
    page.get_by_label("Message").fill("Look up the inflation of 2023")
    page.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(rf"/conversations/{UUID}/$"))
    page.get_by_text("Waiting for approval (the tool policy asks first).").wait_for(timeout=60_000)
    page.get_by_role("button", name="Approve and run lookup_inflation").click()
    page.locator("#conv-status .status", has_text="Completed").wait_for(timeout=60_000)
    page.get_by_text("Euro area inflation in 2023: 2.4% (stdio-secret-source)").first.wait_for()
