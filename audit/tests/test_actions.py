"""Each human action writes exactly one audit row, with the right actor, object and workspace,
through the real entry points (pages, the REST API with tokens, the admin)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.test import APIClient

from agents import services
from agents.demo import FINANCE
from agents.models import Agent, Graph
from audit.models import Action, Outcome
from audit.tests.conftest import make_pending, new_rows
from conversations.models import Conversation, GeneratedFile, PendingAction, Turn
from workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db

UA = "audit-test-agent/1.0"


def _api(world, role):
    client = world.client(role)
    client.defaults["HTTP_USER_AGENT"] = UA
    return client


def _check(row, *, actor, action, object_type, object_id, workspace):
    assert row.action == action
    assert row.outcome == Outcome.SUCCESS
    assert row.actor_id == actor.pk
    assert row.actor_username == actor.username
    assert row.object_type == object_type
    assert row.object_id == str(object_id)
    assert row.workspace_id == (workspace.pk if workspace is not None else None)
    if workspace is not None:
        assert row.workspace_name == workspace.name


# --- sign-in, sign-out -----------------------------------------------------------------------


def test_sign_in_success_failure_and_sign_out(make_user):
    user = make_user("alice")
    client = Client(HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.9")
    with new_rows() as failed:
        response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    row = failed.row
    assert (row.action, row.outcome, row.actor_id) == (Action.LOGIN_FAILED, Outcome.FAILURE, None)
    assert row.after == {"username": "alice"}
    assert "wrong" not in str(row.after) + row.error
    assert (row.ip, row.user_agent, row.request) == ("203.0.113.9", UA, "POST /login/")

    with new_rows() as signed_in:
        response = client.post("/login/", {"username": "alice", "password": "pw-secret-123"})
    assert response.status_code == 302
    _check(
        signed_in.row,
        actor=user,
        action=Action.LOGIN,
        object_type="user",
        object_id=user.pk,
        workspace=None,
    )
    assert signed_in.row.ip == "203.0.113.9"

    with new_rows() as signed_out:
        assert client.post("/logout/").status_code == 302
    _check(
        signed_out.row,
        actor=user,
        action=Action.LOGOUT,
        object_type="user",
        object_id=user.pk,
        workspace=None,
    )


# --- workspaces and memberships --------------------------------------------------------------


def test_workspace_create_update_delete(world):
    admin = world.users["admin"]
    client = _api(world, "admin")
    with new_rows() as created:
        response = client.post("/api/workspaces/", {"name": "Audited"})
    assert response.status_code == 201
    workspace = Workspace.objects.get(pk=response.json()["id"])
    _check(
        created.row,
        actor=admin,
        action=Action.WORKSPACE_CREATE,
        object_type="workspace",
        object_id=workspace.pk,
        workspace=workspace,
    )
    assert created.row.user_agent == UA
    assert created.row.request == "POST /api/workspaces/"

    with new_rows() as updated:
        client.patch(f"/api/workspaces/{workspace.pk}/", {"name": "Renamed"})
    row = updated.row
    assert (row.action, row.before, row.after) == (
        Action.WORKSPACE_UPDATE,
        {"name": "Audited"},
        {"name": "Renamed"},
    )

    with new_rows() as deleted:
        assert client.delete(f"/api/workspaces/{workspace.pk}/").status_code == 204
    row = deleted.row
    assert row.action == Action.WORKSPACE_DELETE
    assert row.workspace_id == workspace.pk and row.workspace_name == "Renamed"
    assert row.before["members"] == ["admin"]
    # The row outlives the workspace it describes.
    row.refresh_from_db()


def test_invitation_accept_change_remove(world, make_user, token_for):
    admin, newcomer = world.users["admin"], make_user("newcomer")
    client = _api(world, "admin")
    invitee = APIClient()
    invitee.credentials(HTTP_AUTHORIZATION=f"Token {token_for(newcomer)}")
    base = f"/api/workspaces/{world.workspace.pk}/"
    with new_rows() as invited:
        response = client.post(f"{base}invitations/", {"invitee": "newcomer", "role": "viewer"})
    assert response.status_code == 202, response.json()
    invitation_id = response.json()["id"]
    _check(
        invited.row,
        actor=admin,
        action=Action.INVITATION_CREATE,
        object_type="invitation",
        object_id=invitation_id,
        workspace=world.workspace,
    )
    assert invited.row.after["invitee"] == "newcomer" and invited.row.after["role"] == "viewer"

    with new_rows() as accepted:
        assert invitee.post(f"/api/invitations/{invitation_id}/accept/").status_code == 200
    membership = Membership.objects.get(workspace=world.workspace, user=newcomer)
    _check(
        accepted.row,
        actor=newcomer,
        action=Action.INVITATION_ACCEPT,
        object_type="invitation",
        object_id=invitation_id,
        workspace=world.workspace,
    )
    assert accepted.row.before == {"status": "pending"}
    assert accepted.row.after["status"] == "accepted"
    assert accepted.row.after["membership"] == str(membership.pk)
    assert accepted.row.after["member"] == {
        "user": newcomer.pk,
        "username": "newcomer",
        "role": "viewer",
    }

    with new_rows() as changed:
        client.patch(f"{base}members/{membership.pk}/", {"role": "editor"})
    assert changed.row.action == Action.MEMBERSHIP_CHANGE
    assert (changed.row.before["role"], changed.row.after["role"]) == ("viewer", "editor")

    with new_rows() as removed:
        assert client.delete(f"{base}members/{membership.pk}/").status_code == 204
    assert removed.row.action == Action.MEMBERSHIP_REMOVE
    assert removed.row.before["role"] == "editor"
    assert removed.row.workspace_id == world.workspace.pk


def test_invitation_decline_and_revoke(world, make_user, token_for):
    newcomer = make_user("newcomer")
    client = _api(world, "admin")
    invitee = APIClient()
    invitee.credentials(HTTP_AUTHORIZATION=f"Token {token_for(newcomer)}")
    url = f"/api/workspaces/{world.workspace.pk}/invitations/"
    first = client.post(url, {"invitee": "newcomer", "role": "viewer"}).json()["id"]
    with new_rows() as declined:
        assert invitee.post(f"/api/invitations/{first}/decline/").status_code == 200
    _check(
        declined.row,
        actor=newcomer,
        action=Action.INVITATION_DECLINE,
        object_type="invitation",
        object_id=first,
        workspace=world.workspace,
    )
    second = client.post(url, {"invitee": "nobody-at-all", "role": "editor"}).json()["id"]
    with new_rows() as revoked:
        assert client.post(f"{url}{second}/revoke/").status_code == 200
    _check(
        revoked.row,
        actor=world.users["admin"],
        action=Action.INVITATION_REVOKE,
        object_type="invitation",
        object_id=second,
        workspace=world.workspace,
    )
    assert revoked.row.after["status"] == "revoked"


# --- graphs, agents, handoffs ------------------------------------------------------------------


def test_graph_create_update_delete(world):
    editor = world.users["editor"]
    client = _api(world, "editor")
    with new_rows() as created:
        response = client.post("/api/graphs/", {"workspace": world.workspace.pk, "name": "New"})
    graph = Graph.objects.get(pk=response.json()["id"])
    _check(
        created.row,
        actor=editor,
        action=Action.GRAPH_CREATE,
        object_type="graph",
        object_id=graph.pk,
        workspace=world.workspace,
    )

    with new_rows() as updated:
        client.patch(f"/api/graphs/{graph.pk}/", {"description": "Routes refunds."})
    assert updated.row.action == Action.GRAPH_UPDATE
    assert updated.row.before == {"description": ""}
    assert updated.row.after["description"] == "Routes refunds."

    with new_rows() as deleted:
        assert client.delete(f"/api/graphs/{graph.pk}/").status_code == 204
    assert deleted.row.action == Action.GRAPH_DELETE
    assert deleted.row.before["name"] == "New"
    _check(
        deleted.row,
        actor=editor,
        action=Action.GRAPH_DELETE,
        object_type="graph",
        object_id=graph.pk,
        workspace=world.workspace,
    )


def test_agent_create_update_delete(world):
    editor = world.users["editor"]
    client = _api(world, "editor")
    with new_rows() as created:
        response = client.post(
            "/api/agents/",
            {"graph": world.graph.pk, "name": "refunds", "instructions": "Refund politely."},
        )
    assert response.status_code == 201, response.json()
    agent = Agent.objects.get(pk=response.json()["id"])
    _check(
        created.row,
        actor=editor,
        action=Action.AGENT_CREATE,
        object_type="agent",
        object_id=agent.pk,
        workspace=world.workspace,
    )
    assert created.row.after["instructions"] == "Refund politely."

    with new_rows() as updated:
        client.patch(f"/api/agents/{agent.pk}/", {"instructions": "Refund quickly."})
    row = updated.row
    assert row.action == Action.AGENT_UPDATE
    assert row.before == {"instructions": "Refund politely."}
    assert row.after == {"instructions": "Refund quickly."}

    with new_rows() as noop:
        client.patch(f"/api/agents/{agent.pk}/", {"instructions": "Refund quickly."})
    assert noop.rows == []  # nothing changed, nothing to record

    with new_rows() as deleted:
        assert client.delete(f"/api/agents/{agent.pk}/").status_code == 204
    _check(
        deleted.row,
        actor=editor,
        action=Action.AGENT_DELETE,
        object_type="agent",
        object_id=agent.pk,
        workspace=world.workspace,
    )
    assert deleted.row.before["name"] == "refunds"


def test_handoff_create_change_delete(world):
    editor = world.users["editor"]
    client = _api(world, "editor")
    extra = services.agent_create(actor=editor, graph=world.graph, name="refunds")
    billing = world.billing
    # billing has no handoffs: add one.
    with new_rows() as created:
        response = client.patch(f"/api/agents/{billing.pk}/", {"handoffs": [str(extra.pk)]})
    assert response.status_code == 200, response.json()
    _check(
        created.row,
        actor=editor,
        action=Action.HANDOFF_CREATE,
        object_type="handoff",
        object_id=billing.pk,
        workspace=world.workspace,
    )
    assert created.row.before["handoffs"] == []
    assert created.row.after["handoff_names"] == ["refunds"]

    with new_rows() as changed:
        client.patch(f"/api/agents/{billing.pk}/", {"handoffs": [str(world.triage.pk)]})
    assert changed.row.action == Action.HANDOFF_UPDATE
    assert changed.row.before["handoff_names"] == ["refunds"]
    assert changed.row.after["handoff_names"] == ["triage"]

    with new_rows() as deleted:
        services.handoffs_set(actor=editor, agent=billing, target_ids=[])
    assert deleted.row.action == Action.HANDOFF_DELETE
    assert deleted.row.after == {"handoffs": [], "handoff_names": []}
    assert deleted.row.actor_id == editor.pk


def test_agent_version_restore(world):
    editor = world.users["editor"]
    client = _api(world, "editor")
    client.patch(f"/api/agents/{world.billing.pk}/", {"instructions": "Changed."})
    with new_rows() as restored:
        response = client.post(f"/api/agents/{world.billing.pk}/versions/1/restore/", {})
    assert response.status_code == 200, response.json()
    _check(
        restored.row,
        actor=editor,
        action=Action.AGENT_RESTORE,
        object_type="agent",
        object_id=world.billing.pk,
        workspace=world.workspace,
    )
    assert restored.row.before == {"instructions": "Changed."}
    assert restored.row.after == {"instructions": "Explain charges.", "restored_version": 1}


def test_graph_import(world):
    with new_rows() as imported:
        response = _api(world, "editor").post(
            "/api/graphs/import/", {"workspace": world.workspace.pk, "document": FINANCE}
        )
    assert response.status_code == 201, response.json()
    _check(
        imported.row,
        actor=world.users["editor"],
        action=Action.GRAPH_IMPORT,
        object_type="graph",
        object_id=response.json()["id"],
        workspace=world.workspace,
    )
    assert len(imported.row.after["agents"]) == len(FINANCE["agents"])


def test_graph_sync_success_and_failure(world, monkeypatch):
    from integrations.mistral import backend, sync

    monkeypatch.setattr(sync, "graph_resync", lambda graph: sync.SyncResult({}))
    with new_rows() as synced:
        response = _api(world, "editor").post(f"/api/graphs/{world.graph.pk}/sync/")
    assert response.status_code == 200
    _check(
        synced.row,
        actor=world.users["editor"],
        action=Action.GRAPH_SYNC,
        object_type="graph",
        object_id=world.graph.pk,
        workspace=world.workspace,
    )

    def refuse(graph):
        raise backend.BackendError("The backend said no.")

    monkeypatch.setattr(sync, "graph_resync", refuse)
    with new_rows() as failed:
        response = _api(world, "editor").post(f"/api/graphs/{world.graph.pk}/sync/")
    assert response.status_code == 502
    assert failed.row.outcome == Outcome.FAILURE
    assert failed.row.error == "The backend said no."


# --- conversations ---------------------------------------------------------------------------


def test_conversation_start_message_and_cancel(world):
    operator = world.users["operator"]
    client = _api(world, "operator")
    with new_rows() as started:
        response = client.post(
            "/api/conversations/", {"agent": str(world.triage.pk), "inputs": "Hello"}
        )
    assert response.status_code == 201, response.json()
    conversation = Conversation.objects.get(pk=response.json()["id"])
    _check(
        started.row,
        actor=operator,
        action=Action.CONVERSATION_START,
        object_type="conversation",
        object_id=conversation.pk,
        workspace=world.workspace,
    )
    assert started.row.after["inputs"] == "Hello"
    assert started.row.after["agent_name"] == "triage"

    # As if the worker had run the first turn.
    Turn.objects.filter(conversation=conversation).update(state=Turn.State.DONE)
    Conversation.objects.filter(pk=conversation.pk).update(status="completed")
    with new_rows() as followed:
        response = client.post(
            f"/api/conversations/{conversation.pk}/messages/", {"inputs": "And?"}
        )
    assert response.status_code == 202, response.json()
    _check(
        followed.row,
        actor=operator,
        action=Action.CONVERSATION_MESSAGE,
        object_type="conversation",
        object_id=conversation.pk,
        workspace=world.workspace,
    )
    assert followed.row.after == {"turn": 2, "inputs": "And?"}

    with new_rows() as cancelled:
        response = client.post(f"/api/conversations/{conversation.pk}/cancel/")
    assert response.status_code == 202
    assert cancelled.row.action == Action.CONVERSATION_CANCEL
    assert cancelled.row.before == {"status": "queued"}
    assert cancelled.row.after == {"status": "cancelled"}


def test_pending_resolved_records_the_result(world, conversation):
    action = make_pending(conversation)
    with new_rows() as resolved:
        response = _api(world, "operator").post(
            f"/api/pending/{action.pk}/resolve/", {"result": '{"status": "shipped"}'}
        )
    assert response.status_code == 200, response.json()
    _check(
        resolved.row,
        actor=world.users["operator"],
        action=Action.PENDING_RESOLVE,
        object_type="pending_action",
        object_id=action.pk,
        workspace=world.workspace,
    )
    assert resolved.row.after["result"] == '{"status": "shipped"}'
    assert resolved.row.after["name"] == "lookup_order"
    assert resolved.row.after["conversation"] == str(conversation.pk)


def test_handoff_decision_recorded(world, conversation):
    action = make_pending(conversation, kind=PendingAction.Kind.HANDOFF)
    with new_rows() as resolved:
        _api(world, "operator").post(f"/api/pending/{action.pk}/resolve/", {"decision": "stop"})
    assert resolved.row.after["decision"] == "stop"


def test_file_download(world, conversation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    generated = GeneratedFile(
        conversation=conversation, remote_id="file_1", name="chart.png", type="image/png", size=4
    )
    generated.file.save("chart.png", ContentFile(b"\x89PNG"), save=False)
    generated.save()
    with new_rows() as downloaded:
        response = _api(world, "viewer").get(f"/api/files/{generated.pk}/download/")
        assert b"".join(response.streaming_content) == b"\x89PNG"
    _check(
        downloaded.row,
        actor=world.users["viewer"],
        action=Action.FILE_DOWNLOAD,
        object_type="file",
        object_id=generated.pk,
        workspace=world.workspace,
    )
    assert downloaded.row.after["name"] == "chart.png"

    with new_rows() as refused:
        assert (
            _api(world, "outsider").get(f"/api/files/{generated.pk}/download/").status_code == 404
        )
    assert refused.rows == []


# --- tokens ----------------------------------------------------------------------------------


def test_token_created_and_revoked_through_the_api(make_user):
    from rest_framework.authtoken.models import Token

    user = make_user("tokenuser")
    client = Client()
    client.force_login(user)
    with new_rows() as created:
        response = client.post("/api/tokens/")
    assert response.status_code == 201
    key = response.json()["key"]
    assert Token.objects.get(user=user).key == key
    row = created.row
    assert (row.action, row.actor_id, row.object_type, row.object_id) == (
        Action.TOKEN_CREATE,
        user.pk,
        "token",
        str(user.pk),
    )
    assert key not in str(row.before) + str(row.after)

    with new_rows() as revoked:
        assert client.delete("/api/tokens/").status_code == 204
    assert revoked.row.action == Action.TOKEN_REVOKE
    assert not Token.objects.filter(user=user).exists()

    with new_rows() as nothing:
        assert client.delete("/api/tokens/").status_code == 404
    assert nothing.rows == []


def test_drf_create_token_command_is_audited(make_user):
    from django.core.management import call_command

    user = make_user("cli")
    with new_rows() as created:
        call_command("drf_create_token", "cli", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert created.row.action == Action.TOKEN_CREATE
    assert created.row.actor_id is None and created.row.object_id == str(user.pk)
    with new_rows() as again:
        call_command("drf_create_token", "cli", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert again.rows == []  # the existing key is shown, nothing is created
    with new_rows() as reset:
        call_command("drf_create_token", "cli", "--reset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert reset.row.before == {"had_token": True}
