"""The in-app audit page and its exports: admins of the workspace only, filterable, streamed."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _urls(workspace) -> list[str]:
    base = f"/workspaces/{workspace.pk}/audit/"
    return [base, base + "export.csv", base + "export.jsonl"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("editor", 403), ("operator", 403), ("viewer", 403), ("outsider", 404)],
)
def test_only_workspace_admins_see_the_page_and_exports(world, role, status):
    client = _client(world.users[role])
    for url in _urls(world.workspace):
        assert client.get(url).status_code == status, url


def test_outsider_cannot_reach_another_workspace_even_as_admin_of_their_own(world):
    client = _client(world.users["outsider"])  # admin of "Elsewhere"
    for url in _urls(world.workspace):
        assert client.get(url).status_code == 404
    for url in _urls(world.other_workspace):
        assert client.get(url).status_code == 200
    assert client.get("/workspaces/not-a-uuid/audit/").status_code == 404


def test_anonymous_is_sent_to_sign_in(world, client):
    response = client.get(_urls(world.workspace)[0])
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_page_lists_this_workspace_only_and_filters(world):
    client = _client(world.users["admin"])
    page = client.get(_urls(world.workspace)[0])
    html = page.content.decode()
    entries = list(page.context["entries"])
    assert entries and all(e.workspace_id == world.workspace.pk for e in entries)
    assert "Theirs" not in html  # the outsider's graph
    assert "agent.create" in html

    page = client.get(_urls(world.workspace)[0], {"actor": "editor", "action": "agent.create"})
    entries = list(page.context["entries"])
    assert [e.object_repr for e in entries] == ["triage", "billing"]

    page = client.get(_urls(world.workspace)[0], {"object_type": "membership"})
    assert {e.action for e in page.context["entries"]} == {"membership.add"}

    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    page = client.get(_urls(world.workspace)[0], {"since": tomorrow})
    assert list(page.context["entries"]) == []

    bad = client.get(_urls(world.workspace)[0], {"since": "yesterday-ish"})
    assert bad.status_code == 400
    assert client.get(_urls(world.workspace)[1], {"action": "nope"}).status_code == 400


def test_pagination(world):
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(action=Action.LOGIN, workspace=world.workspace, object_repr=f"n{i}")
            for i in range(120)
        ]
    )
    client = _client(world.users["admin"])
    first = client.get(_urls(world.workspace)[0])
    assert len(first.context["entries"]) == 50
    assert 'rel="next"' in first.content.decode()
    last = client.get(_urls(world.workspace)[0], {"page": 3})
    total = AuditEntry.objects.filter(workspace=world.workspace).count()
    assert len(last.context["entries"]) == total - 100


def test_json_in_page_is_escaped(world):
    AuditEntry.objects.create(
        action=Action.AGENT_UPDATE,
        workspace=world.workspace,
        after={"instructions": "<script>alert(1)</script>"},
    )
    html = _client(world.users["admin"]).get(_urls(world.workspace)[0]).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _stream(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_csv_export_streams_the_filtered_rows(world):
    AuditEntry.objects.create(
        action=Action.AGENT_UPDATE,
        workspace=world.workspace,
        actor_username="mallory",
        object_repr="=HYPERLINK(1)",
        after={"a": 1},
    )
    response = _client(world.users["admin"]).get(_urls(world.workspace)[1])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_stream(response))))
    expected = AuditEntry.objects.filter(workspace=world.workspace).order_by("-created_at", "-id")
    assert [r["id"] for r in rows] == [str(e.id) for e in expected]
    mallory = next(r for r in rows if r["actor_username"] == "mallory")
    assert mallory["object_repr"] == "'=HYPERLINK(1)"  # never a live formula
    assert json.loads(mallory["after"]) == {"a": 1}
    assert all(r["workspace_id"] == str(world.workspace.pk) for r in rows)

    filtered = _client(world.users["admin"]).get(
        _urls(world.workspace)[1], {"action": "membership.add"}
    )
    rows = list(csv.DictReader(io.StringIO(_stream(filtered))))
    assert sorted(r["object_repr"].split(" ")[0] for r in rows) == ["editor", "operator", "viewer"]


def test_jsonl_export_streams_one_object_per_line(world):
    response = _client(world.users["admin"]).get(_urls(world.workspace)[2], {"actor": "editor"})
    lines = _stream(response).splitlines()
    objects = [json.loads(line) for line in lines]
    assert objects and all(o["actor_username"] == "editor" for o in objects)
    create = next(
        o for o in objects if o["action"] == "agent.create" and o["object_repr"] == "triage"
    )
    assert create["after"]["handoff_names"] == ["billing"]
    assert create["workspace_id"] == str(world.workspace.pk)


def test_nav_link_for_workspace_admins_only(world):
    admin_home = _client(world.users["admin"]).get("/").content.decode()
    assert 'href="/audit/"' in admin_home
    viewer_home = _client(world.users["viewer"]).get("/").content.decode()
    assert 'href="/audit/"' not in viewer_home
    # One administered workspace: the link goes straight to its page.
    response = _client(world.users["admin"]).get("/audit/")
    assert response.status_code == 302
    assert response["Location"] == f"/workspaces/{world.workspace.pk}/audit/"
