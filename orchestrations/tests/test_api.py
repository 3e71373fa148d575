"""The orchestrations REST API: CRUD versioned with the graph, roles, bad and hostile input,
runs' access, export/import with the graph, and the schema."""

from __future__ import annotations

import pytest

from agents.models import Graph
from agents.portable import graph_export
from agents.services import graph_import
from audit.models import AuditEntry
from orchestrations.models import Orchestration, OrchestrationRun

pytestmark = pytest.mark.django_db
SPEC = {"sequence": [{"agent": "Research Agent"}, {"agent": "Report Agent"}]}


def _client(api_client, token_for, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return api_client


def _url(graph) -> str:
    return f"/api/graphs/{graph.pk}/orchestrations/"


def test_editor_creates_lists_updates_and_deletes(guide_graph, team, api_client, token_for):
    _, members = team
    client = _client(api_client, token_for, members["editor"])
    revision = Graph.objects.get(pk=guide_graph.pk).revision
    response = client.post(_url(guide_graph), {"name": "Pipeline", "spec": SPEC}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["spec"] == SPEC and body["revision"] == revision + 1
    listed = client.get(_url(guide_graph)).json()
    names = [o["name"] for o in (listed["results"] if isinstance(listed, dict) else listed)]
    assert "Pipeline" in names and "Conditional router" in names  # the demo's come with import

    detail = f"/api/orchestrations/{body['id']}/"
    assert client.get(detail).json()["name"] == "Pipeline"
    changed = client.patch(detail, {"name": "Pipeline 2", "revision": revision + 1}, format="json")
    assert changed.status_code == 200 and changed.json()["revision"] == revision + 2
    stale = client.patch(detail, {"name": "x", "revision": revision}, format="json")
    assert stale.status_code == 409
    assert client.delete(f"{detail}?revision={revision + 2}").status_code == 204
    assert not Orchestration.objects.filter(pk=body["id"]).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"orchestration.create", "orchestration.update", "orchestration.delete"} <= actions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "spec": {"parallel": [{"agent": "Ghost"}]}}, "spec.parallel[0].agent"),
        ({"name": "x", "spec": {"route": {"agent": "Report Agent"}}}, "spec.routes"),
        ({"name": "", "spec": SPEC}, "name"),
        ({"name": ["x"], "spec": SPEC}, "name"),
        ({"name": "Conditional router", "spec": SPEC}, "name"),  # taken by the demo
        ({"name": "x", "spec": SPEC, "description": 5}, "description"),
        ({"name": "x", "spec": "DROP TABLE"}, "spec"),
        ({"name": "x"}, "spec"),
        ({"name": "x", "spec": {"agent": "<script>alert(1)</script>"}}, "spec.agent"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    guide_graph, team, api_client, token_for, body, field
):
    _, members = team
    client = _client(api_client, token_for, members["editor"])
    before = (Orchestration.objects.count(), Graph.objects.get(pk=guide_graph.pk).revision)
    response = client.post(_url(guide_graph), body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    after = (Orchestration.objects.count(), Graph.objects.get(pk=guide_graph.pk).revision)
    assert after == before


def test_roles_owner_member_outsider(guide_graph, team, api_client, token_for):
    _, members = team
    orchestration = Orchestration.objects.get(graph=guide_graph, name="Conditional router")
    detail = f"/api/orchestrations/{orchestration.pk}/"
    runs = f"/api/orchestrations/{orchestration.pk}/runs/"
    body = {"name": "By someone", "spec": SPEC}
    expected = {
        "admin": (200, 201, 201),
        "editor": (200, 201, 201),
        "operator": (200, 403, 201),
        "viewer": (200, 403, 403),
        "outsider": (404, 404, 404),
    }
    for role, (read, write, run) in expected.items():
        client = _client(api_client, token_for, members[role])
        assert client.get(detail).status_code == read, role
        assert client.post(
            _url(guide_graph), {**body, "name": role}, format="json"
        ).status_code == (write), role
        assert client.post(
            runs, {"inputs": "Calculate Fibonacci sequence"}, format="json"
        ).status_code == (run), role
    outsider = _client(api_client, token_for, members["outsider"])
    assert outsider.patch(detail, {"name": "x"}, format="json").status_code == 404
    assert outsider.delete(detail).status_code == 404
    run = OrchestrationRun.objects.first()
    assert outsider.get(f"/api/orchestration-runs/{run.pk}/").status_code == 404
    assert outsider.get(f"/api/orchestration-runs/{run.pk}/events/").status_code == 404
    assert outsider.post(f"/api/orchestration-runs/{run.pk}/cancel/").status_code == 404
    viewer = _client(api_client, token_for, members["viewer"])
    assert viewer.get(f"/api/orchestration-runs/{run.pk}/").status_code == 200
    assert viewer.post(f"/api/orchestration-runs/{run.pk}/cancel/").status_code == 403
    assert api_client.credentials() is None
    assert api_client.get(detail).status_code in (401, 403)


def test_run_start_and_read(guide_graph, team, api_client, token_for):
    _, members = team
    client = _client(api_client, token_for, members["operator"])
    orchestration = Orchestration.objects.get(graph=guide_graph, name="Conditional router")
    runs = f"/api/orchestrations/{orchestration.pk}/runs/"
    for bad in ({}, {"inputs": ""}, {"inputs": 5}, {"inputs": "x" * 100_001}):
        response = client.post(runs, bad, format="json")
        assert response.status_code == 400 and "inputs" in response.json(), bad
    assert OrchestrationRun.objects.count() == 0
    response = client.post(runs, {"inputs": "Calculate Fibonacci sequence"}, format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"id", "status"} and response.json()["status"] == "queued"
    body = client.get(f"/api/orchestration-runs/{response.json()['id']}/").json()
    assert {"id", "status", "output", "steps"} <= set(body)
    events = client.get(f"/api/orchestration-runs/{body['id']}/events/?after=0").json()
    assert [e["type"] for e in events] == ["run.status"] and events[0]["seq"] == 1
    assert client.get(f"/api/orchestration-runs/{body['id']}/events/?after=x").status_code == 400
    assert client.get("/api/orchestration-runs/not-a-uuid/").status_code == 404
    cancelled = client.post(f"/api/orchestration-runs/{body['id']}/cancel/")
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/orchestration-runs/{body['id']}/cancel/").status_code == 409
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"orchestration.run", "orchestration.cancel"} <= actions


def test_validate_endpoint_reports_without_saving(guide_graph, team, api_client, token_for):
    _, members = team
    client = _client(api_client, token_for, members["viewer"])
    url = f"/api/graphs/{guide_graph.pk}/orchestrations/validate/"
    response = client.post(url, {"spec": {"parallel": [{"agent": "Ghost"}]}}, format="json")
    assert response.status_code == 200
    assert "spec.parallel[0].agent" in response.json()["errors"]
    assert client.post(url, {"spec": SPEC}, format="json").json() == {"errors": {}}


def test_export_and_import_carry_the_orchestrations(guide_graph, team):
    workspace, members = team
    document = graph_export(guide_graph)
    assert [o["name"] for o in document["orchestrations"]][:2] == [
        "Competitive strategy team",
        "Conditional router",
    ]
    copy = graph_import(
        actor=members["admin"], workspace=workspace, document={**document, "name": "Copy"}
    )
    again = graph_export(copy)
    assert {**again, "name": document["name"]} == document


def test_import_refuses_a_bad_orchestration_by_its_path(team, api_client, token_for):
    workspace, members = team
    client = _client(api_client, token_for, members["editor"])
    document = {
        "format": "agentstudio.graph",
        "version": 1,
        "name": "Broken",
        "agents": [{"name": "solo"}],
        "orchestrations": [
            {"name": "o", "spec": {"parallel": [{"agent": "solo"}, {"agent": "x"}]}}
        ],
    }
    response = client.post(
        "/api/graphs/import/", {"workspace": str(workspace.pk), "document": document}, format="json"
    )
    assert response.status_code == 400
    assert "document.orchestrations[0].spec.parallel[1].agent" in response.json()
    assert not Graph.objects.filter(name="Broken").exists()


def test_schema_lists_the_endpoints(team, api_client, token_for):
    _, members = team
    schema = _client(api_client, token_for, members["viewer"]).get("/api/schema/?format=json")
    paths = schema.json()["paths"]
    for path in (
        "/api/graphs/{graph_id}/orchestrations/",
        "/api/orchestrations/{id}/",
        "/api/orchestrations/{id}/runs/",
        "/api/orchestration-runs/{id}/",
        "/api/orchestration-runs/{id}/events/",
    ):
        assert path in paths, path
    events = paths["/api/orchestration-runs/{id}/events/"]["get"]["responses"]["200"]
    ref = events["content"]["application/json"]["schema"]["items"]["$ref"].rsplit("/", 1)[-1]
    item = schema.json()["components"]["schemas"][ref]
    refs = {m["$ref"].rsplit("/", 1)[-1] for m in item["oneOf"]}
    assert len(refs) == 5 and all(r in schema.json()["components"]["schemas"] for r in refs)


def test_run_start_honours_an_idempotency_key(guide_graph, team, api_client, token_for):
    _, members = team
    client = _client(api_client, token_for, members["operator"])
    orchestration = Orchestration.objects.get(graph=guide_graph, name="Conditional router")
    url = f"/api/orchestrations/{orchestration.pk}/runs/"
    body = {"inputs": "Calculate Fibonacci sequence"}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers.get("Idempotent-Replayed") == "true"
    assert OrchestrationRun.objects.count() == 1
    other = client.post(url, {"inputs": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422


def test_staff_see_runs_in_the_admin(guide_graph, team, client, make_user):
    _, members = team
    orchestration = Orchestration.objects.get(graph=guide_graph, name="Conditional router")
    from orchestrations.services import run_start

    run = run_start(actor=members["operator"], orchestration=orchestration, inputs="x")
    client.force_login(make_user("staff", is_staff=True, is_superuser=True))
    for url in (
        "/admin/orchestrations/orchestration/",
        "/admin/orchestrations/orchestrationrun/",
        f"/admin/orchestrations/orchestrationrun/{run.pk}/change/",
        "/admin/orchestrations/runevent/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/orchestrations/orchestrationrun/add/").status_code == 403


def test_run_list_is_scoped_filtered_and_paginated(guide_graph, team, api_client, token_for):
    _, members = team
    from orchestrations.services import run_start

    orchestration = Orchestration.objects.get(graph=guide_graph, name="Conditional router")
    run = run_start(actor=members["operator"], orchestration=orchestration, inputs="x")
    viewer = _client(api_client, token_for, members["viewer"])
    body = viewer.get("/api/orchestration-runs/").json()
    items = body["results"] if isinstance(body, dict) else body
    assert [r["id"] for r in items] == [str(run.pk)]
    assert viewer.get("/api/orchestration-runs/?status=completed").json()["results"] == []
    assert viewer.get("/api/orchestration-runs/?status=bogus").status_code == 400
    assert viewer.get(f"/api/orchestration-runs/?graph={guide_graph.pk}").status_code == 200
    outsider = _client(api_client, token_for, members["outsider"])
    assert outsider.get(f"/api/orchestration-runs/?graph={guide_graph.pk}").status_code == 404
    listed = outsider.get("/api/orchestration-runs/").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []
