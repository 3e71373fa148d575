"""Sync to the backend over HTTP: agents then handoffs, remote ids per backend, no call when
nothing changed, and only the changed agent bumped when one changes."""

import pytest
from django.conf import settings
from mistralai.client import Mistral

from agents.services import agent_update
from audit.models import Action, AuditEntry
from integrations.mistral.models import RemoteAgent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_sync_pushes_changes_only(finance_graph, team, api_for, asgi_server):
    _, members = team
    editor = api_for(members["editor"])
    code, first = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    assert code == 200, first
    assert first["backend"].startswith("sandbox:http://127.0.0.1:")
    versions = {a["agent"]: (a["remote_id"], a["version"]) for a in first["agents"]}
    assert len(versions) == 5
    # Handoffs are set with the backend's own ids.
    finance = finance_graph.entry_agent
    remote = _sandbox(asgi_server).beta.agents.get(agent_id=versions[str(finance.pk)][0])
    targets = {
        r.remote_id for r in RemoteAgent.objects.filter(agent__incoming_edges__source=finance)
    }
    assert set(remote.handoffs) == targets and len(targets) == 2

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
    remote = _sandbox(asgi_server).beta.agents.get(agent_id=versions[str(finance.pk)][0])
    assert remote.instructions == "Be brief."


def test_sync_needs_editor(finance_graph, team, api_for):
    _, members = team
    assert api_for(members["operator"]).post(f"/api/graphs/{finance_graph.pk}/sync/")[0] == 403
    assert api_for(members["outsider"]).post(f"/api/graphs/{finance_graph.pk}/sync/")[0] == 404
    assert not RemoteAgent.objects.exists()


def _sandbox(asgi_server) -> Mistral:
    """The real SDK with this install's sandbox key: someone else editing our remote agents."""
    return Mistral(api_key=settings.SANDBOX_API_KEY, server_url=f"{asgi_server.url}/sandbox")


def test_sync_repairs_remote_drift_and_records_it(finance_graph, team, api_for, asgi_server):
    _, members = team
    editor = api_for(members["editor"])
    code, first = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    assert code == 200 and first["drift_repaired"] == []
    ecb = finance_graph.agents.get(name="ecb-interest-rate-agent")
    entry = finance_graph.entry_agent
    remote_ids = {a["agent"]: a["remote_id"] for a in first["agents"]}
    ecb_id, entry_id = remote_ids[str(ecb.pk)], remote_ids[str(entry.pk)]
    sdk = _sandbox(asgi_server)
    handoffs = sdk.beta.agents.get(agent_id=entry_id).handoffs
    assert len(handoffs) == 2

    # Behind our back: the ECB agent loses its function, the entry agent its handoffs.
    changed = sdk.beta.agents.update(agent_id=ecb_id, tools=[])
    assert changed.tools == []
    sdk.beta.agents.update(agent_id=entry_id, handoffs=[])

    code, second = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    assert code == 200, second
    repaired = {d["agent"]: d for d in second["drift_repaired"]}
    assert set(repaired) == {str(ecb.pk), str(entry.pk)}
    assert repaired[str(ecb.pk)]["found_version"] == repaired[str(ecb.pk)]["synced_version"] + 1
    assert repaired[str(ecb.pk)]["restored_version"] > repaired[str(ecb.pk)]["found_version"]
    restored = sdk.beta.agents.get(agent_id=ecb_id)
    assert [t.function.name for t in restored.tools] == ["get_european_central_bank_interest_rate"]
    assert sorted(sdk.beta.agents.get(agent_id=entry_id).handoffs) == sorted(handoffs)
    rows = AuditEntry.objects.filter(action=Action.AGENT_DRIFT_REPAIRED)
    editor_id = members["editor"].pk
    assert {(r.object_id, r.actor_id) for r in rows} == {
        (str(ecb.pk), editor_id),
        (str(entry.pk), editor_id),
    }
    assert rows.get(object_id=str(ecb.pk)).after["remote_id"] == ecb_id

    # Nothing changed since: no drift, no call that makes a new version.
    code, third = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    assert third["drift_repaired"] == []
    assert {a["agent"]: a["version"] for a in third["agents"]} == {
        a["agent"]: a["version"] for a in second["agents"]
    }


def test_sync_repairs_a_version_switch_and_a_deleted_agent(
    finance_graph, team, api_for, asgi_server
):
    _, members = team
    editor = api_for(members["editor"])
    code, first = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    remote_ids = {a["agent"]: a["remote_id"] for a in first["agents"]}
    entry = finance_graph.entry_agent
    websearch = finance_graph.agents.get(name="websearch-agent")
    sdk = _sandbox(asgi_server)
    sdk.beta.agents.update_version(agent_id=remote_ids[str(entry.pk)], version=0)  # no handoffs
    sdk.beta.agents.delete(agent_id=remote_ids[str(websearch.pk)])

    code, second = editor.post(f"/api/graphs/{finance_graph.pk}/sync/")
    assert code == 200, second
    repaired = {d["agent"]: d for d in second["drift_repaired"]}
    assert set(repaired) == {str(entry.pk), str(websearch.pk)}
    assert repaired[str(websearch.pk)]["found_version"] is None
    new_id = repaired[str(websearch.pk)]["remote_id"]
    assert new_id != remote_ids[str(websearch.pk)]
    assert new_id in sdk.beta.agents.get(agent_id=remote_ids[str(entry.pk)]).handoffs
