"""PUT /api/graphs/{id}/document/: the editor's atomic save. All or nothing, one revision step,
409 on a stale revision, 400 naming the path into the document, and the per-agent audit rows."""

from __future__ import annotations

import copy

import pytest

from agents.models import Agent, AgentVersion, Graph, HandoffEdge
from agents.tests.conftest import World, db_state
from agents.tests.test_api_bad_input import BAD_AGENT_FIELDS
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(world: World) -> str:
    return f"/api/graphs/{world.graph.id}/document/"


def document_of(world: World, role: str = "editor") -> tuple[int, dict]:
    """What the editor sends: the export, each agent with its id."""
    client = world.client(role)
    exported = client.get(f"/api/graphs/{world.graph.id}/export/").json()
    current = client.get(url(world)).json()
    ids = {a["name"]: a["id"] for a in current["agents"]}
    for agent in exported["agents"]:
        agent["id"] = ids[agent["name"]]
    return current["graph"]["revision"], exported


def put(world: World, document: dict, revision: int, role: str = "editor"):
    body = {"revision": revision, "document": document}
    return world.client(role).put(url(world), body, format="json")


def agent_named(document: dict, name: str) -> dict:
    return next(a for a in document["agents"] if a["name"] == name)


def audit_rows(since: int) -> list[tuple[str, str]]:
    rows = AuditEntry.objects.filter(pk__gt=since).order_by("pk")
    return [(row.action, row.object_repr) for row in rows]


def last_audit() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_one_save_creates_changes_deletes_and_moves_the_revision_once(world: World):
    revision, document = document_of(world)
    mark = last_audit()
    triage = agent_named(document, "triage")
    triage["description"] = "Changed in one save."
    triage["position"] = {"x": 400, "y": 120}
    triage["handoffs"] = ["refunds"]  # billing goes, refunds is new
    document["agents"] = [triage]
    document["agents"].append(
        {"name": "refunds", "instructions": "Refund.", "handoffs": ["triage"]}
    )
    document["entry_agent"] = "refunds"
    document["name"] = "Helpdesk v2"

    response = put(world, document, revision)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["graph"]["revision"] == revision + 1
    assert body["graph"]["name"] == "Helpdesk v2"
    agents = {a["name"]: a for a in body["agents"]}
    assert set(agents) == {"triage", "refunds"}
    assert agents["triage"]["id"] == str(world.triage.id)  # kept: same id, history kept
    assert agents["triage"]["handoffs"] == [agents["refunds"]["id"]]
    assert agents["refunds"]["handoffs"] == [agents["triage"]["id"]]
    assert agents["triage"]["position_x"] == 400
    assert body["graph"]["entry_agent"] == agents["refunds"]["id"]
    assert not Agent.objects.filter(pk=world.billing.id).exists()
    graph = Graph.objects.get(pk=world.graph.id)
    assert graph.revision == revision + 1
    assert AgentVersion.objects.filter(agent_id=world.triage.id).count() == 2
    # The same rows the per-agent endpoints write, one per object.
    assert sorted(audit_rows(mark)) == sorted(
        [
            ("agent.delete", "billing"),
            ("agent.create", "refunds"),
            ("agent.update", "triage"),
            ("graph.update", "Helpdesk v2"),
        ]
    )


def test_a_stale_revision_is_409_and_changes_nothing(world: World):
    revision, document = document_of(world)
    agent_named(document, "triage")["description"] = "From an old tab."
    # Someone else saves first.
    world.client("admin").patch(
        f"/api/agents/{world.billing.id}/", {"description": "Newer"}, format="json"
    )
    before = db_state()

    response = put(world, document, revision)

    assert response.status_code == 409
    assert response.json()["current_revision"] == revision + 1
    assert db_state() == before


def test_saving_what_is_stored_changes_nothing(world: World):
    revision, document = document_of(world)
    before, mark = db_state(), last_audit()
    response = put(world, document, revision)
    assert response.status_code == 200, response.content
    assert response.json()["graph"]["revision"] == revision
    assert db_state() == before
    assert audit_rows(mark) == []


def test_names_can_be_swapped_in_one_save(world: World):
    revision, document = document_of(world)
    triage, billing = agent_named(document, "triage"), agent_named(document, "billing")
    triage["name"], billing["name"] = "billing", "triage"
    triage["handoffs"] = ["triage"]  # still the same edge: to the agent now called triage
    document["entry_agent"] = "billing"
    mark = last_audit()

    response = put(world, document, revision)

    assert response.status_code == 200, response.content
    assert Agent.objects.get(pk=world.triage.id).name == "billing"
    assert Agent.objects.get(pk=world.billing.id).name == "triage"
    edges = HandoffEdge.objects.filter(source__graph=world.graph)
    assert list(edges.values_list("source_id", "target_id")) == [
        (world.triage.id, world.billing.id)
    ]
    assert sorted(a for a, _ in audit_rows(mark)) == ["agent.update", "agent.update"]


def test_only_handoffs_changed_is_a_handoff_row(world: World):
    revision, document = document_of(world)
    agent_named(document, "billing")["handoffs"] = ["triage"]
    mark = last_audit()
    assert put(world, document, revision).status_code == 200
    assert audit_rows(mark) == [("handoff.create", "billing")]


CASES = [(case, f, p) for case, f, p in BAD_AGENT_FIELDS if not p.startswith("position")]


@pytest.mark.parametrize("case, fields, path", CASES, ids=[c for c, _, _ in CASES])
def test_bad_agent_fields_are_400_at_their_path_in_the_document(world: World, case, fields, path):
    revision, document = document_of(world)
    index = next(i for i, a in enumerate(document["agents"]) if a["name"] == "triage")
    document["agents"][index].update(fields)
    document["agents"][0 if index else 1]["description"] = "A valid change that must not land."
    before = db_state()

    response = put(world, document, revision)

    assert response.status_code == 400, response.content
    # Hostile nesting is refused for the whole document before any field is looked at.
    expected = "document" if "deep" in case else f"document.agents[{index}].{path}"
    assert expected in response.json(), response.json()
    assert db_state() == before


def _hostile_cases(world: World) -> list[tuple[str, object, str]]:
    """(what, a change to the document or a whole body, the key the 400 must name)"""
    return [
        (
            "foreign id",
            lambda d: d["agents"][0].update(id=str(world.other_agent.id)),
            "agents[0].id",
        ),
        ("id not a uuid", lambda d: d["agents"][0].update(id="'; drop table"), "agents[0].id"),
        ("id twice", lambda d: d["agents"][1].update(id=d["agents"][0]["id"]), "agents[1].id"),
        (
            "same name twice",
            lambda d: d["agents"][1].update(name=d["agents"][0]["name"]),
            "agents[1].name",
        ),
        (
            "handoff to nobody",
            lambda d: d["agents"][0].update(handoffs=["ghost"]),
            "agents[0].handoffs",
        ),
        (
            "handoff to itself",
            lambda d: d["agents"][0].update(handoffs=[d["agents"][0]["name"]]),
            "agents[0].handoffs",
        ),
        (
            "handoffs by id",
            lambda d: d["agents"][0].update(handoffs=[{"id": 1}]),
            "agents[0].handoffs",
        ),
        (
            "unknown agent key",
            lambda d: d["agents"][0].update(remote_id="ag_1"),
            "agents[0].remote_id",
        ),
        (
            "position absurd",
            lambda d: d["agents"][0].update(position={"x": 1e12}),
            "agents[0].position.x",
        ),
        (
            "position a string",
            lambda d: d["agents"][0].update(position="here"),
            "agents[0].position",
        ),
        ("agent not an object", lambda d: d["agents"].append("agent"), "agents[2]"),
        ("agents not a list", lambda d: d.update(agents={"a": 1}), "agents"),
        ("entry unknown", lambda d: d.update(entry_agent="ghost"), "entry_agent"),
        ("no name", lambda d: d.pop("name"), "name"),
        ("unknown document key", lambda d: d.update(orchestrationz=[]), "orchestrationz"),
        ("wrong format", lambda d: d.update(format="other"), "format"),
        ("nested deep", lambda d: d.update(description=_deep(60)), ""),
    ]


def _deep(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_hostile_documents_are_400_naming_the_path(world: World):
    before = db_state()
    for what, change, key in _hostile_cases(world):
        revision, document = document_of(world)
        change(document)
        response = put(world, document, revision)
        assert response.status_code == 400, (what, response.content)
        expected = f"document.{key}" if key else "document"
        assert expected in response.json(), (what, response.json())
    assert db_state() == before


def test_bodies_that_are_not_a_save_are_400(world: World):
    revision, document = document_of(world)
    client = world.client("editor")
    before = db_state()
    for body, field in [
        ({"document": document}, "revision"),
        ({"revision": -1, "document": document}, "revision"),
        ({"revision": "latest", "document": document}, "revision"),
        ({"revision": revision}, "document"),
        ({"revision": revision, "document": "graph"}, "document"),
        ({"revision": revision, "document": []}, "document"),
    ]:
        response = client.put(url(world), body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()
    response = client.put(url(world), b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert db_state() == before


def test_the_size_limits_are_settings(world: World, settings):
    revision, document = document_of(world)
    settings.GRAPH_MAX_AGENTS = 1
    response = put(world, document, revision)
    assert response.status_code == 400
    assert response.json()["document.agents"] == ["At most 1 agents."]
    settings.GRAPH_MAX_AGENTS = 10
    settings.GRAPH_MAX_HANDOFFS = 0
    response = put(world, document, revision)
    assert response.json()["document.agents"] == ["At most 0 handoffs in all."]
    # The import answers the same way: one validation.
    portable = copy.deepcopy(document)
    for agent in portable["agents"]:
        del agent["id"]
    imported = world.client("editor").post(
        "/api/graphs/import/",
        {"workspace": str(world.workspace.id), "document": portable},
        format="json",
    )
    assert imported.status_code == 400
    assert imported.json()["document.agents"] == ["At most 0 handoffs in all."]


@pytest.mark.parametrize(
    "role, status",
    [("admin", 200), ("editor", 200), ("operator", 403), ("viewer", 403), ("outsider", 404)],
)
def test_who_may_save(world: World, role: str, status: int):
    revision, document = document_of(world, "admin")
    agent_named(document, "billing")["description"] = f"Saved by {role}."
    before = db_state()
    response = put(world, document, revision, role=role)
    assert response.status_code == status, response.content
    if status == 200:
        assert Agent.objects.get(pk=world.billing.id).description == f"Saved by {role}."
    else:
        assert db_state() == before


@pytest.mark.parametrize("role, status", [("viewer", 200), ("outsider", 404)])
def test_who_may_read(world: World, role: str, status: int):
    assert world.client(role).get(url(world)).status_code == status


def test_anonymous_and_foreign_graphs(world: World, client):
    assert client.get(url(world)).status_code in (401, 403)
    foreign = f"/api/graphs/{world.other_graph.id}/document/"
    response = world.client("editor").put(foreign, {"revision": 1, "document": {}}, format="json")
    assert response.status_code == 404
    assert (
        world.client("editor")
        .put("/api/graphs/not-a-uuid/document/", {}, format="json")
        .status_code
        == 404
    )


def test_the_endpoint_is_in_the_schema(client, make_user):
    client.force_login(make_user("reader"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = schema["paths"]["/api/graphs/{graph_id}/document/"]
    assert {"get", "put"} <= set(operations)
    body = operations["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("DocumentSaveInput")
