"""The graph editor in real Chromium against the real ASGI server: build, save, reload, validate,
run and conflicting saves."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from agents.demo import FINANCE
from agents.models import Agent, Graph
from agents.services import graph_import
from conversations.models import Conversation
from conversations.publisher import workspace_group
from tests.helpers import group_has_subscriber, wait_for
from workspaces.models import Membership
from workspaces.services import workspace_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAMS = '{"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}'


@pytest.fixture
def watch_errors(page):
    """JavaScript errors on the page fail the test."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert errors == []


def card(page, name):
    return page.locator(".react-flow__node", has=page.locator(f'[data-agent-name="{name}"]'))


def drag_handoff(page, source: str, target: str) -> None:
    start = page.get_by_label(f"Handoff source: {source}").bounding_box()
    end = page.get_by_label(f"Handoff target: {target}").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def edge(page, source: str, target: str):
    return page.get_by_label(f"Handoff from {source} to {target}", exact=True)


def save(page) -> None:
    page.keyboard.press("Control+s")
    try:
        page.get_by_text("All changes saved").wait_for()
    except PlaywrightTimeout as exc:  # say why, not only that it timed out
        raise AssertionError(page.locator(".editor-banner").all_inner_texts()) from exc


def wait_still(locator) -> None:
    """Until the element stops moving: an animated fit or layout is over."""
    last: list = [None]

    def still() -> bool:
        box = locator.bounding_box()
        moved, last[0] = box != last[0], box
        return box is not None and not moved

    wait_for(still, interval=0.1, what="the animation to end")


def wait_feed_open(graph) -> None:
    """Until the page's /ws/feed/ socket has joined the graph's workspace group."""
    group = workspace_group(graph.workspace_id)
    wait_for(lambda: group_has_subscriber(group), what="the feed socket")


def open_editor(page, base_url: str, graph) -> None:
    page.goto(f"{base_url}/graphs/{graph.pk}/edit/")
    page.locator(".react-flow__node").first.wait_for()


def test_build_a_graph_save_and_find_it_again(signed_in_page, asgi_server, make_user, watch_errors):
    owner = make_user("ada")
    workspace_create(actor=owner, name="Research")
    page = signed_in_page(owner)

    page.get_by_role("link", name="Graphs").click()
    page.get_by_label("Graph name").fill("Research desk")
    page.get_by_role("button", name="Create graph").click()
    page.wait_for_url(re.compile(r"/graphs/[0-9a-f-]+/edit/$"))
    graph = Graph.objects.get(name="Research desk")
    expect(page.get_by_text("All changes saved")).to_be_visible()

    fields = {
        "Router": ("Routes questions", "Decide who answers.", "mistral-large-latest"),
        "Researcher": ("Finds papers", "Search the literature.", "magistral-medium-latest"),
        "Writer": ("Writes the answer", "Write clearly.", "my-own-finetune"),
    }
    for name, (description, instructions, model) in fields.items():
        page.get_by_role("button", name="Add agent").click()
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Description", exact=True).fill(description)
        page.get_by_label("Instructions", exact=True).fill(instructions)
        page.get_by_label("Model", exact=True).fill(model)
    expect(page.get_by_text("● Unsaved changes")).to_be_visible()
    expect(page.get_by_text("(3 agents added, entry agent changed)")).to_be_visible()
    # The first agent of an empty graph becomes its entry agent.
    expect(card(page, "Router").get_by_text("Entry")).to_be_visible()

    # Completion args and a built-in tool on the writer (still selected).
    page.get_by_label("Temperature").fill("0.3")
    page.get_by_label("Max tokens").fill("abc")
    expect(page.get_by_text("Must be a whole number.")).to_be_visible()
    page.get_by_label("Max tokens").fill("800")
    page.get_by_label("Built-in tool").select_option("web_search")
    page.get_by_role("button", name="Add built-in tool").click()
    expect(card(page, "Writer").get_by_title("Web search")).to_be_visible()

    page.keyboard.press("f")  # fit view
    wait_still(page.locator(".react-flow__viewport"))  # the fit is animated
    drag_handoff(page, "Router", "Researcher")
    drag_handoff(page, "Researcher", "Writer")
    edge(page, "Router", "Researcher").wait_for(state="attached")
    edge(page, "Researcher", "Writer").wait_for(state="attached")

    # A function tool on the researcher, with a schema checked as it is typed.
    card(page, "Researcher").click()
    page.get_by_role("button", name="Add function tool").click()
    page.get_by_label("Function name").fill("search_papers")
    page.get_by_label("Function description").fill("Search papers by keyword.")
    schema = page.get_by_label("Parameters (JSON Schema) of search_papers")
    schema.fill('{"type": "object", "properties": ')
    assert "Invalid JSON" in page.get_by_role("alert").filter(has_text="Invalid JSON").inner_text()
    schema.fill('{"type": "objekt"}')
    expect(page.get_by_text('"type" "objekt" is not a JSON Schema type')).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.get_by_text("Not saved: fix the invalid JSON schema first.")).to_be_visible()
    assert Agent.objects.filter(graph=graph).count() == 0
    schema.fill(PARAMS)
    expect(page.get_by_text("Valid JSON Schema", exact=True)).to_be_visible()

    save(page)
    agents = {a.name: a for a in Agent.objects.filter(graph=graph)}
    assert set(agents) == set(fields)
    graph.refresh_from_db()
    assert graph.entry_agent_id == agents["Router"].pk
    assert agents["Router"].handoff_ids == [agents["Researcher"].pk]
    assert agents["Researcher"].handoff_ids == [agents["Writer"].pk]
    assert agents["Researcher"].tools[0]["function"]["parameters"]["required"] == ["query"]
    assert agents["Writer"].completion_args == {"temperature": 0.3, "max_tokens": 800}

    page.reload()
    page.locator(".react-flow__node").first.wait_for()
    for name, (description, instructions, model) in fields.items():
        card(page, name).click()
        assert page.get_by_label("Name", exact=True).input_value() == name
        assert page.get_by_label("Description", exact=True).input_value() == description
        assert page.get_by_label("Instructions", exact=True).input_value() == instructions
        assert page.get_by_label("Model", exact=True).input_value() == model
    assert page.get_by_label("Temperature").input_value() == "0.3"
    expect(page.get_by_label("Tools: web_search")).to_be_visible()
    card(page, "Researcher").click()
    assert page.get_by_label("Function name").input_value() == "search_papers"
    assert '"query"' in page.get_by_label("Parameters (JSON Schema) of search_papers").input_value()
    assert edge(page, "Router", "Researcher").count() == 1
    assert edge(page, "Researcher", "Writer").count() == 1
    assert (
        page.get_by_text("No problems found.").is_visible()
        or not page.locator(".issue-error").count()
    )

    # Undo and redo, then delete a handoff with the keyboard.
    page.get_by_label("Description", exact=True).fill("Changed")
    page.keyboard.press("Escape")
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    page.get_by_text("All changes saved").wait_for()
    page.keyboard.press("Control+Shift+z")
    page.get_by_text("● Unsaved changes").wait_for()
    page.keyboard.press("Control+z")
    # Keyboard only: focus the edge, select it with Enter, delete it.
    edge(page, "Researcher", "Writer").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Delete")
    edge(page, "Researcher", "Writer").wait_for(state="detached")
    save(page)
    assert Agent.objects.get(pk=agents["Researcher"].pk).handoff_ids == []


@pytest.fixture
def finance(make_user):
    owner = make_user("owner")
    workspace = workspace_create(actor=owner, name="Finance team")
    editor = make_user("editor")
    Membership.objects.create(workspace=workspace, user=editor, role="editor")
    viewer = make_user("viewer")
    Membership.objects.create(workspace=workspace, user=viewer, role="viewer")
    graph = graph_import(actor=owner, workspace=workspace, document=FINANCE)
    return graph, {"owner": owner, "editor": editor, "viewer": viewer}


def test_unreachable_agent_warning_jumps_to_the_agent(
    signed_in_page, asgi_server, finance, watch_errors
):
    graph, users = finance
    page = signed_in_page(users["editor"])
    open_editor(page, asgi_server.url, graph)
    page.get_by_role("button", name="Add agent").click()
    page.get_by_label("Name", exact=True).fill("Orphan")
    page.get_by_label("Description", exact=True).fill("Nobody hands off to me.")
    # The server refuses a bad model name: the message appears next to the field.
    page.get_by_label("Model", exact=True).fill("not a model!")
    page.get_by_role("button", name="Save", exact=True).click()
    model_error = page.locator(".field", has=page.get_by_label("Model", exact=True)).get_by_role(
        "alert"
    )
    model_error.wait_for()
    assert "Orphan has invalid fields" in page.get_by_role("alert").first.inner_text()
    assert not Agent.objects.filter(name="Orphan").exists()
    page.get_by_label("Model", exact=True).fill("mistral-small-latest")
    save(page)
    assert model_error.count() == 0
    orphan = Agent.objects.get(graph=graph, name="Orphan")
    assert orphan.model == "mistral-small-latest"
    # Move the card: its position is saved too.
    box = card(page, "Orphan").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 70, steps=8)
    page.mouse.up()
    page.get_by_text("● Unsaved changes").wait_for()
    save(page)
    moved = Agent.objects.get(pk=orphan.pk)
    assert moved.position_x > orphan.position_x and moved.position_y > orphan.position_y
    warning = page.get_by_role("button", name=re.compile(r"Orphan: Orphan cannot be reached"))
    warning.wait_for()
    page.locator(".react-flow__pane").click(position={"x": 5, "y": 5})
    assert page.get_by_label("Name", exact=True).count() == 0
    warning.click()
    assert page.get_by_label("Name", exact=True).input_value() == "Orphan"
    assert card(page, "Orphan").get_attribute("class").find("selected") >= 0
    expect(card(page, "Orphan").get_by_title("1 warning(s)")).to_be_visible()


def test_run_from_the_editor_lands_on_the_live_page(
    signed_in_page, asgi_server, finance, watch_errors
):
    graph, users = finance
    page = signed_in_page(users["editor"])
    open_editor(page, asgi_server.url, graph)
    page.get_by_role("button", name="Run", exact=True).click()
    dialog = page.get_by_role("dialog", name="Run the graph")
    assert dialog.get_by_label("Start with agent").input_value() == str(graph.entry_agent_id)
    dialog.get_by_label("Message").fill("What is the ECB rate?")
    dialog.get_by_role("button", name="Start conversation").click()
    page.wait_for_url(re.compile(r"/conversations/[0-9a-f-]{36}/$"))
    conversation = Conversation.objects.get()
    assert page.url.endswith(f"/conversations/{conversation.pk}/")
    assert conversation.graph_id == graph.pk
    assert conversation.started_by_id == users["editor"].pk


def test_conflicting_save_from_another_browser_gets_the_conflict_message(
    browser, signed_in_page, asgi_server, finance, watch_errors
):
    graph, users = finance
    first = signed_in_page(users["editor"])
    open_editor(first, asgi_server.url, graph)

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    second = other.new_page()
    second.goto(f"{asgi_server.url}/login/")
    second.get_by_label("Username").fill("owner")
    second.get_by_label("Password").fill("pw-secret-123")
    second.get_by_role("button", name="Sign in").click()
    second.wait_for_url(f"{asgi_server.url}/")
    open_editor(second, asgi_server.url, graph)

    card(second, "ecb-interest-rate-agent").click()
    second.get_by_label("Description", exact=True).fill("Changed in the second browser.")
    save(second)
    other.close()

    card(first, "ecb-interest-rate-agent").click()
    first.get_by_label("Description", exact=True).fill("Changed in the first browser.")
    first.get_by_role("button", name="Save", exact=True).click()
    banner = first.get_by_role("alert").filter(has_text="Conflict")
    assert "someone else changed this graph" in banner.inner_text()
    expect(first.get_by_text("● Unsaved changes")).to_be_visible()
    agent = Agent.objects.get(graph=graph, name="ecb-interest-rate-agent")
    assert agent.description == "Changed in the second browser."

    banner.get_by_role("button", name="Reload the graph").click()
    first.get_by_text("All changes saved").wait_for()
    card(first, "ecb-interest-rate-agent").click()
    description = first.get_by_label("Description", exact=True)
    assert description.input_value() == "Changed in the second browser."


def test_viewers_get_a_read_only_editor(signed_in_page, asgi_server, finance, watch_errors):
    graph, users = finance
    page = signed_in_page(users["viewer"])
    open_editor(page, asgi_server.url, graph)
    expect(page.get_by_text("Read only")).to_be_visible()
    assert page.get_by_role("button", name="Save", exact=True).count() == 0
    assert page.get_by_role("button", name="Run", exact=True).count() == 0
    card(page, "ecb-interest-rate-agent").click()
    assert page.get_by_label("Name", exact=True).is_disabled()
    expect(page.get_by_role("button", name="Export")).to_be_visible()


def test_live_overlay_marks_the_active_agent(signed_in_page, asgi_server, finance, watch_errors):
    """A status change on /ws/feed/ for this graph highlights the conversation's agent."""
    graph, users = finance
    page = signed_in_page(users["editor"])
    open_editor(page, asgi_server.url, graph)
    wait_feed_open(graph)
    from conversations.services import conversation_start

    entry = graph.entry_agent
    conversation_start(actor=users["editor"], agent=entry, inputs="Hello")
    page.get_by_text(re.compile(r"Live: conversation")).wait_for()
    assert "live-active" in card(page, entry.name).locator(".agent-card").get_attribute("class")


def test_sync_export_and_import(signed_in_page, asgi_server, finance, watch_errors, tmp_path):
    graph, users = finance
    page = signed_in_page(users["editor"])
    open_editor(page, asgi_server.url, graph)

    # Automatic layout moves a card put out of line back (one undoable step).
    box = card(page, "calculator-agent").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] + 160, steps=8)
    page.mouse.up()
    save(page)
    before = card(page, "calculator-agent").bounding_box()
    page.keyboard.press("l")
    page.get_by_text("● Unsaved changes").wait_for()
    wait_for(lambda: card(page, "calculator-agent").bounding_box() != before, what="a move")
    wait_still(card(page, "calculator-agent"))
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("All changes saved").wait_for()

    page.get_by_role("button", name="Sync").click()
    dialog = page.get_by_role("dialog", name=re.compile("Synced to"))
    rows = dialog.get_by_role("row")
    rows.nth(len(FINANCE["agents"])).wait_for()
    assert rows.count() == len(FINANCE["agents"]) + 1
    assert "finance-agent" in dialog.inner_text()
    assert re.search(r"ag_\w+|[0-9a-f-]{8,}", dialog.inner_text())
    dialog.get_by_role("button", name="Close").click()

    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    path = tmp_path / "finance.json"
    download.value.save_as(path)
    assert '"finance-agent"' in path.read_text()

    # Importing asks: a new graph (not a second "Finance") or this one replaced.
    page.get_by_label("Import a graph from a JSON file").set_input_files(str(path))
    dialog = page.get_by_role("dialog", name="Import “Finance”")
    expect(dialog.get_by_text("already has a graph named “Finance”")).to_be_visible()
    assert dialog.get_by_label("Name of the new graph").input_value() == "Finance 2"
    dialog.get_by_role("button", name="Create a new graph").click()
    page.wait_for_url(lambda url: str(graph.pk) not in url and url.endswith("/edit/"))
    assert sorted(
        Graph.objects.filter(workspace=graph.workspace).values_list("name", flat=True)
    ) == [
        "Finance",
        "Finance 2",
    ]
    card(page, "finance-agent").wait_for()


@pytest.mark.integration
def test_live_overlay_follows_a_real_run(
    signed_in_page, asgi_server, finance, celery_worker_process, watch_errors
):
    """A real worker runs example B: the editor marks the handoff it took and its active agent,
    following the conversation's own socket (no polling of the events endpoint)."""
    from conversations.services import conversation_start
    from conversations.tests.conftest import EXAMPLE_B

    graph, users = finance
    page = signed_in_page(users["editor"])
    sockets, polls = [], []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("request", lambda r: polls.append(r.url) if "/events/" in r.url else None)
    open_editor(page, asgi_server.url, graph)
    wait_feed_open(graph)
    conversation = conversation_start(
        actor=users["editor"], agent=graph.entry_agent, inputs=EXAMPLE_B
    )
    label = "Handoff from finance-agent to ecb-interest-rate-agent"
    travelled = page.locator(f".react-flow__edge.travelled[aria-label='{label}']")
    travelled.wait_for(timeout=60_000)
    page.get_by_text("active agent ecb-interest-rate-agent").wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"Live: conversation Awaiting Input")).wait_for(timeout=60_000)
    assert "live-active" in card(page, "ecb-interest-rate-agent").locator(
        ".agent-card"
    ).get_attribute("class")
    assert page.locator(".react-flow__edge.travelled").count() == 1
    assert any(f"/ws/conversations/{conversation.pk}/?after=" in url for url in sockets), sockets
    assert polls == []
