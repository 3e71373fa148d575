"""Approval policies for the tools the worker runs: `ask` puts the call in the inbox as an
approval (approve runs it, reject returns a refusal the model reads), `deny` refuses it by
argument pattern, the first matching rule wins, and who decided is in the audit trail."""

from __future__ import annotations

import json

import pytest

from agents.models import McpServer
from audit.models import Action, AuditEntry
from conversations.models import PendingAction
from conversations.tests.test_mcp_tools import FINAL, stdio_fields
from conversations.tests.test_mcp_tools import agent as agent  # noqa: F401 (the fixture)
from conversations.tool_policy import clean_policy, decide

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
POLICY = {
    "default": "allow",
    "rules": [
        {"tools": ["convert_*"], "arguments": ["*gbp*"], "decision": "deny"},
        {"tools": ["lookup_*", "convert_*"], "decision": "ask"},
    ],
}


def test_first_matching_rule_wins():
    policy = clean_policy(POLICY)
    assert decide(policy, "convert_currency", {"amount": 5, "currency": "GBP"}) == "deny"
    assert decide(policy, "convert_currency", {"amount": 5, "currency": "USD"}) == "ask"
    assert decide(policy, "lookup_inflation", {"year": 2023}) == "ask"
    assert decide(policy, "slow_report", {"topic": "x"}) == "allow"
    assert decide({}, "anything", {}) == "allow"
    assert decide({"default": "deny", "rules": []}, "anything", {}) == "deny"


def _setup(api_for, members, agent):
    editor = api_for(members["admin"])
    code, server = editor.post(f"/api/agents/{agent.pk}/mcp-servers/", stdio_fields())
    assert code == 201 and not server["tools_error"], server
    code, body = editor.call("PUT", f"/api/agents/{agent.pk}/tool-policy/", POLICY)
    assert code == 200, body
    return api_for(members["operator"])


def _ask(api, agent, text):
    code, body = api.post("/api/conversations/", {"agent": str(agent.pk), "inputs": text})
    assert code == 201, body
    waiting = api.wait_status(body["id"], FINAL, timeout=90)
    assert waiting["status"] == "awaiting_input", waiting
    code, pending = api.get(f"/api/pending/?status=pending&conversation={body['id']}")
    [action] = pending["results"]
    assert action["kind"] == "approval"
    return body["id"], action


def _result(api, conversation_id):
    code, events = api.get(f"/api/conversations/{conversation_id}/events/")
    [result] = [e["data"] for e in events if e["type"] == "function.result"]
    return result


def test_an_ask_approved_and_another_rejected_from_the_inbox(
    agent, team, api_for, celery_worker_process
):
    _, members = team
    operator = _setup(api_for, members, agent)

    approved_id, action = _ask(operator, agent, "Look up the inflation of 2023")
    assert action["name"] == "lookup_inflation" and action["arguments"] == {"year": 2023}
    code, body = operator.post(f"/api/pending/{action['id']}/resolve/", {"decision": "approve"})
    assert code == 200, body
    done = operator.wait_status(approved_id, {"completed", "failed"}, timeout=90)
    assert done["status"] == "completed", done
    result = _result(operator, approved_id)
    assert result["result"] == "Euro area inflation in 2023: 2.4% (stdio-secret-source)"
    assert result["user"] == "operator"
    again = operator.post(f"/api/pending/{action['id']}/resolve/", {"decision": "reject"})
    assert again[0] == 409

    rejected_id, action = _ask(operator, agent, "Look up the inflation of 2024")
    code, _ = api_for(members["admin"]).post(
        f"/api/pending/{action['id']}/resolve/", {"decision": "reject"}
    )
    assert code == 200
    done = operator.wait_status(rejected_id, {"completed", "failed"}, timeout=90)
    assert done["status"] == "completed", done
    refusal = json.loads(_result(operator, rejected_id)["result"])
    assert refusal == {"error": "The call to lookup_inflation was not run: owner rejected it."}
    code, entries = operator.get(f"/api/conversations/{rejected_id}/entries/")
    assert "lookup_inflation returned" in entries[-1]["text"] and "rejected" in entries[-1]["text"]

    decided = {
        (row.actor.username, row.after["decision"])
        for row in AuditEntry.objects.filter(action=Action.PENDING_RESOLVE)
    }
    assert decided == {("operator", "approve"), ("owner", "reject")}
    assert PendingAction.objects.filter(kind="approval", status="resolved").count() == 2


def test_deny_by_argument_pattern_refuses_without_asking(
    agent, team, api_for, celery_worker_process
):
    _, members = team
    operator = _setup(api_for, members, agent)
    code, body = operator.post(
        "/api/conversations/", {"agent": str(agent.pk), "inputs": "Convert 5 EUR into GBP currency"}
    )
    done = operator.wait_status(body["id"], FINAL, timeout=90)
    assert done["status"] == "completed", done
    result = _result(operator, body["id"])
    assert result["automatic"] is True
    assert "the tool policy denies it" in json.loads(result["result"])["error"]


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ([], "tool_policy"),
        ({"default": "maybe"}, "tool_policy.default"),
        ({"rules": [{"tools": ["*"], "decision": "later"}]}, "tool_policy.rules.0.decision"),
        ({"rules": [{"tools": [], "decision": "ask"}]}, "tool_policy.rules.0.tools"),
        (
            {"rules": [{"tools": ["*"], "arguments": "x", "decision": "ask"}]},
            "tool_policy.rules.0.arguments",
        ),  # fmt: skip
        ({"rules": [{"tools": ["*"], "decision": "ask", "why": 1}]}, "tool_policy.rules.0.why"),
        ({"extra": 1}, "tool_policy.extra"),
    ],
)
def test_bad_policies_are_400s_naming_the_field(agent, team, api_for, policy, field):
    _, members = team
    code, body = api_for(members["editor"]).call(
        "PUT", f"/api/agents/{agent.pk}/tool-policy/", policy
    )
    assert code == 400 and field in body, body
    agent.refresh_from_db()
    assert agent.tool_policy == {}


def test_policy_roles(agent, team, api_for):
    _, members = team
    path = f"/api/agents/{agent.pk}/tool-policy/"
    assert api_for(members["viewer"]).get(path) == (200, {"default": "allow", "rules": []})
    assert api_for(members["operator"]).call("PUT", path, POLICY)[0] == 403
    assert api_for(members["outsider"]).call("PUT", path, POLICY)[0] == 404
    assert api_for(members["outsider"]).get(path)[0] == 404
    assert api_for(members["editor"]).call("PUT", path, POLICY)[0] == 200
    assert not McpServer.objects.exists()
