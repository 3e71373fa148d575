"""A refused action writes no audit row (or a row marked failed), never a success."""

from __future__ import annotations

import pytest

from agents.tests.conftest import db_state
from audit.models import AuditEntry, Outcome
from audit.tests.conftest import make_pending, new_rows

pytestmark = pytest.mark.django_db


def test_second_resolve_is_409_and_writes_nothing(world, conversation):
    action = make_pending(conversation)
    client = world.client("operator")
    assert client.post(f"/api/pending/{action.pk}/resolve/", {"result": "ok"}).status_code == 200
    with new_rows() as second:
        response = world.client("admin").post(
            f"/api/pending/{action.pk}/resolve/", {"result": "again"}
        )
    assert response.status_code == 409
    assert second.rows == []
    rows = AuditEntry.objects.filter(action="pending.resolve", object_id=str(action.pk))
    assert [(r.actor_username, r.after["result"]) for r in rows] == [("operator", "ok")]


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "status"),
    [
        ("editor", "post", "/api/agents/", {"graph": "{graph}", "name": ""}, 400),
        ("editor", "patch", "/api/agents/{agent}/", {"tools": [{"type": "nope"}]}, 400),
        ("editor", "patch", "/api/agents/{agent}/", {"handoffs": ["{agent}"]}, 400),
        ("editor", "patch", "/api/agents/{agent}/", {"name": "x", "revision": 1}, 409),
        ("editor", "patch", "/api/graphs/{graph}/", {"entry_agent": "{other_agent}"}, 400),
        ("editor", "post", "/api/graphs/import/", {"workspace": "{ws}", "document": {}}, 400),
        ("admin", "patch", "/api/workspaces/{ws}/", {"name": ""}, 400),
        (
            "admin",
            "post",
            "/api/workspaces/{ws}/invitations/",
            {"invitee": "x", "role": "boss"},
            400,
        ),
        ("viewer", "patch", "/api/agents/{agent}/", {"name": "mine"}, 403),
        ("outsider", "delete", "/api/graphs/{graph}/", None, 404),
        ("operator", "post", "/api/conversations/", {"agent": "{agent}", "inputs": ""}, 400),
    ],
)
def test_refused_changes_write_nothing(world, role, method, path, body, status):
    names = {
        "graph": world.graph.pk,
        "agent": world.triage.pk,
        "other_agent": world.other_agent.pk,
        "ws": world.workspace.pk,
    }

    def fill(value):
        if isinstance(value, str):
            return value.format(**names)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    before = db_state()
    with new_rows() as rows:
        response = getattr(world.client(role), method)(fill(path), fill(body))
    assert response.status_code == status, response.content
    assert rows.rows == []
    assert db_state() == before


def test_follow_up_while_running_is_409_and_writes_nothing(world, conversation):
    with new_rows() as rows:
        response = world.client("operator").post(
            f"/api/conversations/{conversation.pk}/messages/", {"inputs": "Hurry"}
        )
    assert response.status_code == 409
    assert rows.rows == []


def test_cancel_of_a_finished_conversation_writes_nothing(world, conversation):
    conversation.status = "completed"
    conversation.save(update_fields=["status"])
    with new_rows() as rows:
        response = world.client("operator").post(f"/api/conversations/{conversation.pk}/cancel/")
    assert response.status_code == 409
    assert rows.rows == []


def test_failed_sign_in_is_marked_failed(make_user, client):
    make_user("bob")
    with new_rows() as rows:
        client.post("/login/", {"username": "bob", "password": "nope"})
    assert [r.outcome for r in rows.rows] == [Outcome.FAILURE]
