"""The inbox's approval card, server-rendered, and its no-JavaScript form: reject gives the model
a refusal; viewers read only; outsiders see nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from conversations.models import Conversation, Entry, PendingAction, Status, Turn
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(finance_graph, team):
    _, members = team
    conversation = conversation_start(
        actor=members["operator"], agent=finance_graph.entry_agent, inputs="Convert 5 EUR"
    )
    turn = Turn.objects.get(conversation=conversation)
    Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE)
    Conversation.objects.filter(pk=conversation.pk).update(status=Status.AWAITING_INPUT)
    return PendingAction.objects.create(
        conversation=conversation,
        turn=turn,
        kind=PendingAction.Kind.APPROVAL,
        name="convert_currency",
        arguments={"amount": 5, "currency": "USD"},
        tool_call_id="call-7",
        agent=finance_graph.entry_agent,
    )


def test_inbox_card_offers_approve_and_reject(client, approval, team):
    _, members = team
    client.force_login(members["operator"])
    page = client.get(reverse("inbox")).content.decode()
    assert "Approve <code>convert_currency</code>?" in page
    assert 'value="approve"' in page and 'value="reject"' in page
    client.force_login(members["viewer"])
    page = client.get(reverse("inbox")).content.decode()
    assert "convert_currency" in page and 'value="approve"' not in page


def test_reject_through_the_form_records_a_refusal(client, approval, team):
    _, members = team
    client.force_login(members["operator"])
    response = client.post(
        reverse("pending-resolve", args=[approval.pk]), {"decision": "reject", "next": "/inbox/"}
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == "resolved" and approval.decision == "reject"
    assert approval.resolved_by == members["operator"]
    result = Entry.objects.get(conversation=approval.conversation, type="function.result")
    assert json.loads(result.data["result"])["error"].endswith("operator rejected it.")
    assert Conversation.objects.get(pk=approval.conversation_id).status == Status.QUEUED


def test_a_bad_decision_changes_nothing(client, approval, team):
    _, members = team
    client.force_login(members["operator"])
    client.post(reverse("pending-resolve", args=[approval.pk]), {"decision": "continue"})
    approval.refresh_from_db()
    assert approval.status == "pending" and approval.decision == ""


def test_outsiders_get_404(client, approval, team):
    _, members = team
    client.force_login(members["outsider"])
    response = client.post(reverse("pending-resolve", args=[approval.pk]), {"decision": "reject"})
    assert response.status_code == 404
    approval.refresh_from_db()
    assert approval.status == "pending"


def test_start_form_offers_the_runtime_and_refuses_server_tools_locally(
    client, finance_graph, team
):
    _, members = team
    client.force_login(members["operator"])
    url = reverse("conversation-start", args=[finance_graph.pk])
    page = client.get(url).content.decode()
    assert 'name="runtime" value="local"' in page
    response = client.post(
        url,
        {"agent": str(finance_graph.entry_agent_id), "message": "Hi",
         "handoff_execution": "server", "runtime": "local"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "local runtime" in response.content.decode()
    assert not Conversation.objects.exists()
