"""The graph list and the editor page: permissions, initial data and creating graphs."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.demo import FINANCE
from agents.models import Agent, Graph, McpServer
from agents.services import agent_create, graph_import
from workspaces.models import Membership
from workspaces.services import workspace_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_user):
    owner = make_user("owner")
    workspace = workspace_create(actor=owner, name="Finance team")
    users = {"admin": owner, "outsider": make_user("outsider")}
    for role in ("editor", "operator", "viewer"):
        users[role] = make_user(role)
        Membership.objects.create(workspace=workspace, user=users[role], role=role)
    graph = graph_import(actor=owner, workspace=workspace, document=FINANCE)
    return workspace, graph, users


def _editor_data(response) -> dict:
    html = response.content.decode()
    start = html.index(">", html.index('id="editor-data"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize(
    ("role", "can_edit", "can_run"),
    [
        ("admin", True, True),
        ("editor", True, True),
        ("operator", False, True),
        ("viewer", False, False),
    ],
)
def test_editor_page_passes_the_graph_and_what_the_role_allows(
    client, setup, role, can_edit, can_run
):
    _, graph, users = setup
    client.force_login(users[role])
    response = client.get(reverse("graph-edit", args=[graph.pk]))
    assert response.status_code == 200
    data = _editor_data(response)
    assert data["graph"]["id"] == str(graph.pk)
    assert data["graph"]["revision"] == graph.revision
    assert {a["name"] for a in data["agents"]} == {a["name"] for a in FINANCE["agents"]}
    assert (data["can_edit"], data["can_run"]) == (can_edit, can_run)
    assert "mistral-large-latest" in data["known_models"]
    assert 'src="/static/agents/editor/editor.js"' in response.content.decode()


def test_outsiders_and_anonymous_users_do_not_see_the_editor(client, setup):
    _, graph, users = setup
    url = reverse("graph-edit", args=[graph.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(users["outsider"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("graph-list")).content.decode().count(graph.name) == 0


def test_graph_list_links_to_the_editor_and_creates_graphs(client, setup):
    workspace, graph, users = setup
    client.force_login(users["editor"])
    page = client.get(reverse("graph-list")).content.decode()
    assert reverse("graph-edit", args=[graph.pk]) in page
    response = client.post(
        reverse("graph-list"), {"action": "graph", "workspace": workspace.pk, "name": "Support"}
    )
    created = Graph.objects.get(name="Support")
    assert response.status_code == 302
    assert response["Location"] == reverse("graph-edit", args=[created.pk])
    bad = client.post(
        reverse("graph-list"), {"action": "graph", "workspace": workspace.pk, "name": ""}
    )
    assert bad.status_code == 400
    assert Graph.objects.count() == 2


def test_viewers_cannot_create_graphs_but_can_start_a_workspace(client, setup):
    workspace, _, users = setup
    client.force_login(users["viewer"])
    response = client.post(
        reverse("graph-list"), {"action": "graph", "workspace": workspace.pk, "name": "Nope"}
    )
    assert response.status_code == 403
    assert not Graph.objects.filter(name="Nope").exists()
    client.post(reverse("graph-list"), {"action": "workspace", "name": "Mine"})
    assert Membership.objects.get(user=users["viewer"], workspace__name="Mine").role == "admin"


def test_the_editor_page_and_its_validation_cost_no_query_per_agent(client, setup):
    """Every agent with a handoff and an MCP server: the page and /validate/ read them in a fixed
    number of queries (a 500-agent graph once cost 500 more queries on each)."""
    _, graph, users = setup
    owner = users["admin"]
    client.force_login(owner)
    page_url = reverse("graph-edit", args=[graph.pk])
    validate_url = f"/api/graphs/{graph.pk}/validate/"

    def add_agents(count: int) -> None:
        for _ in range(count):
            agent = agent_create(
                actor=owner, graph=graph, name=f"extra-{Agent.objects.count()}",
                handoffs=[graph.entry_agent_id],
            )  # fmt: skip
            McpServer.objects.create(agent=agent, name="fx", transport="http", url="http://x/")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add_agents(2)
    before = (queries(page_url), queries(validate_url))
    add_agents(10)
    assert (queries(page_url), queries(validate_url)) == before
    report = client.get(validate_url).json()
    unlisted = [i for i in report["errors"] if i["code"] == "mcp_server_not_listed"]
    assert len(unlisted) == 12  # the prefetched servers are still each agent's own
    agents = _editor_data(client.get(page_url))["agents"]
    servers = {a["name"]: [s["name"] for s in a["mcp_servers"]] for a in agents}
    assert sum(servers.values(), []) == ["fx"] * 12
    assert all(servers[a.name] == ["fx"] for a in Agent.objects.filter(name__startswith="extra-"))


def test_the_editor_page_lists_each_agents_handoffs_in_target_name_order(client, setup):
    """The page reads all handoffs in one query (not a model per edge): each agent still gets
    exactly its own targets, ordered by the target's name as everywhere else."""
    _, graph, users = setup
    owner = users["admin"]
    names = ["zeta", "alpha", "mu"]
    targets = [agent_create(actor=owner, graph=graph, name=name) for name in names]
    source = agent_create(actor=owner, graph=graph, name="router", handoffs=[t.pk for t in targets])
    client.force_login(owner)
    agents = _editor_data(client.get(reverse("graph-edit", args=[graph.pk])))["agents"]
    listed = {a["id"]: a["handoffs"] for a in agents}
    by_name = {t.name: str(t.pk) for t in targets}
    assert listed[str(source.pk)] == [by_name[n] for n in sorted(names)]
    for agent in Agent.objects.filter(graph=graph):
        assert listed[str(agent.pk)] == [str(t) for t in Agent.objects.get(pk=agent.pk).handoff_ids]
