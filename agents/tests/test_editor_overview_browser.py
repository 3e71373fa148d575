"""A large graph seen whole draws its handoffs as one picture (not one React Flow edge each) and
brings the edges back, to be picked, when zoomed in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agents import services
from agents.tests.test_editor_browser import open_editor
from workspaces.services import workspace_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AGENTS = 130  # over the editor's large-graph limit (120)


@pytest.fixture
def large_graph(make_user):
    owner = make_user("owner")
    workspace = workspace_create(actor=owner, name="Big")
    graph = services.graph_create(actor=owner, workspace=workspace, name="Big graph")
    agents = [
        services.agent_create(
            actor=owner,
            graph=graph,
            name=f"agent-{i:03d}",
            instructions="Answer briefly.",
            position_x=(i % 13) * 280.0,
            position_y=(i // 13) * 160.0,
        )
        for i in range(AGENTS)
    ]
    for i, agent in enumerate(agents):
        targets = [agents[(i + step) % AGENTS].pk for step in (1, 7)]
        services.agent_update(actor=owner, agent=agent, changes={}, handoffs=targets)
    services.graph_update(actor=owner, graph=graph, entry_agent_id=agents[0].pk)
    return graph, owner


def test_a_large_graph_zoomed_out_draws_handoffs_as_one_picture(
    signed_in_page, asgi_server, large_graph
):
    graph, owner = large_graph
    page = signed_in_page(owner)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_editor(page, asgi_server.url, graph)
    picture = page.locator(".overview-edges")
    expect(picture).to_have_attribute("data-edges", str(2 * AGENTS))
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    expect(page.locator(".canvas-stats")).to_contain_text("zoom in to pick one")
    # Its curves and arrowheads are drawn: one path each, with a segment per handoff.
    assert page.locator(".overview-edge-lines").get_attribute("d").count("M") == 2 * AGENTS

    zoom_in = page.locator(".react-flow__controls-zoomin")
    for _ in range(6):
        zoom_in.click()
    expect(picture).to_have_count(0)
    expect(page.locator(".react-flow__edge").first).to_be_visible()
    expect(page.locator(".canvas-stats")).not_to_contain_text("zoom in")
    assert errors == []
