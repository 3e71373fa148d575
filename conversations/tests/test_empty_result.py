"""An empty or whitespace-only function result is refused unless it is confirmed: `allow_empty`
over REST, the "Send an empty result" checkbox in the inbox (with and without JavaScript)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import Conversation, Entry, PendingAction, Turn
from conversations.services import conversation_start


def make_waiting(conversation: Conversation, kind: str = "function_call") -> PendingAction:
    turn = conversation.turns.get()
    Turn.objects.filter(pk=turn.pk).update(state="done")
    Conversation.objects.filter(pk=conversation.pk).update(status="awaiting_input")
    return PendingAction.objects.create(
        conversation=conversation,
        turn=turn,
        kind=kind,
        name="get_rate" if kind == "function_call" else "ecb-interest-rate-agent",
        arguments={"date": "2025-01-01"},
        tool_call_id="abc123XYZ",
    )


@pytest.fixture
def waiting(finance_graph, team) -> PendingAction:
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="What is the ECB rate?"
    )
    return make_waiting(conversation)


def _operator(api_client, team):
    api_client.force_authenticate(team[1]["operator"])
    return api_client


@pytest.mark.django_db
@pytest.mark.parametrize("result", ["", "   ", "\n\t \n"])
def test_rest_sends_an_empty_result_only_when_confirmed(result, waiting, team, api_client):
    client = _operator(api_client, team)

    response = client.post(f"/api/pending/{waiting.pk}/resolve/", {"result": result}, format="json")
    unconfirmed = client.post(
        f"/api/pending/{waiting.pk}/resolve/",
        {"result": result, "allow_empty": False},
        format="json",
    )

    assert response.status_code == unconfirmed.status_code == 400
    assert "allow_empty" in response.json()["result"][0]
    waiting.refresh_from_db()
    assert waiting.status == "pending"
    assert not Entry.objects.filter(type="function.result").exists()

    confirmed = client.post(
        f"/api/pending/{waiting.pk}/resolve/",
        {"result": result, "allow_empty": True},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.content
    waiting.refresh_from_db()
    assert waiting.status == "resolved" and waiting.result == result


@pytest.mark.django_db
def test_rest_allow_empty_must_be_a_boolean(waiting, team, api_client):
    client = _operator(api_client, team)

    response = client.post(
        f"/api/pending/{waiting.pk}/resolve/",
        {"result": "", "allow_empty": {"yes": 1}},
        format="json",
    )

    assert response.status_code == 400 and "allow_empty" in response.json()
    waiting.refresh_from_db()
    assert waiting.status == "pending"


@pytest.mark.django_db
def test_inbox_form_needs_the_checkbox_for_an_empty_result(client, waiting, team):
    client.force_login(team[1]["operator"])
    url = reverse("pending-resolve", args=[waiting.pk])

    refused = client.post(url, {"result": "  ", "format": "text"}, follow=True)
    waiting.refresh_from_db()
    assert waiting.status == "pending"
    assert "Send an empty result" in refused.content.decode()

    client.post(url, {"result": "  ", "format": "text", "allow_empty": "on"})
    waiting.refresh_from_db()
    assert waiting.status == "resolved" and waiting.result == "  "


@pytest.mark.django_db
def test_inbox_card_has_a_labelled_checkbox(client, waiting, team):
    client.force_login(team[1]["operator"])
    page = client.get(reverse("inbox")).content.decode()
    assert f'<input type="checkbox" id="allow-empty-{waiting.pk}" name="allow_empty"' in page
    assert f'<label for="allow-empty-{waiting.pk}">Send an empty result</label>' in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inbox_in_chromium_asks_for_the_confirmation(
    finance_graph, team, signed_in_page, asgi_server
):
    from playwright.sync_api import expect

    _, members = team
    # Written directly: a started conversation's turn is on the broker, and a session's worker
    # that ran it could fail it and cancel the action under the test.
    conversation = Conversation.objects.create(
        graph=finance_graph, entry_agent=finance_graph.entry_agent, backend="sandbox"
    )
    Turn.objects.create(conversation=conversation, number=1, kind="start")
    action = make_waiting(conversation)
    page = signed_in_page(members["operator"])
    page.goto(f"{asgi_server.url}/inbox/")
    page.locator("#inbox-live[data-state='live']").wait_for()
    card = page.locator(f"#pending-{action.pk}")

    card.get_by_label("Result of get_rate").fill("   ")
    card.get_by_role("button", name="Send result").click()
    expect(card.get_by_role("alert")).to_contain_text("Send an empty result")
    action.refresh_from_db()
    assert action.status == "pending"

    card.get_by_role("checkbox", name="Send an empty result").check()
    card.get_by_role("button", name="Send result").click()
    expect(page.locator(f"#pending-{action.pk}")).to_have_count(0)
    action.refresh_from_db()
    assert action.status == "resolved" and action.result == "   "
