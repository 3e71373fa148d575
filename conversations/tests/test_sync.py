"""Sync to the backend over HTTP: agents then handoffs, remote ids per backend, no call when
nothing changed, and only the changed agent bumped when one changes."""

import pytest

from agents.services import agent_update
from conversations.models import RemoteAgent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_sync_pushes_changes_only(finance_graph, team, api_for):
    _, members = team
    editor = api_for(members["editor"])
    code, first = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    assert code == 200, first
    assert first["backend"].startswith("sandbox:http://127.0.0.1:")
    versions = {a["agent"]: (a["remote_id"], a["version"]) for a in first["agents"]}
    assert len(versions) == 5
    # Handoffs are set with the backend's own ids.
    finance = finance_graph.entry_agent
    code, remote = editor.get(f"/sandbox/v1/agents/{versions[str(finance.pk)][0]}")
    targets = {
        r.remote_id for r in RemoteAgent.objects.filter(agent__incoming_edges__source=finance)
    }
    assert code == 200 and set(remote["handoffs"]) == targets and len(targets) == 2

    code, second = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    assert {a["agent"]: (a["remote_id"], a["version"]) for a in second["agents"]} == versions

    agent_update(actor=members["editor"], agent=finance, changes={"instructions": "Be brief."})
    code, third = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    changed = {
        a["agent"]
        for a in third["agents"]
        if (a["remote_id"], a["version"]) != versions[a["agent"]]
    }
    assert changed == {str(finance.pk)}
    code, remote = editor.get(f"/sandbox/v1/agents/{versions[str(finance.pk)][0]}")
    assert remote["instructions"] == "Be brief."


def test_sync_needs_editor(finance_graph, team, api_for):
    _, members = team
    assert api_for(members["operator"]).post(f"/api/graphs/{finance_graph.pk}/sync/")[0] == 403
    assert api_for(members["outsider"]).post(f"/api/graphs/{finance_graph.pk}/sync/")[0] == 404
    assert not RemoteAgent.objects.exists()
