"""The HTML pages through Django's test client: access, forms through the services, filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import Conversation, Entry, PendingAction, Status, Turn
from conversations.rendering import agent_color, markdown_to_html
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(finance_graph, team):
    _, members = team
    return conversation_start(
        actor=members["operator"], agent=finance_graph.entry_agent, inputs="What is the ECB rate?"
    )


@pytest.fixture
def waiting(started, finance_graph):
    """A conversation waiting for the answer to a function call (as a turn would leave it)."""
    agent = finance_graph.agents.get(name="ecb-interest-rate-agent")
    turn = Turn.objects.get(conversation=started)
    Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE)
    Conversation.objects.filter(pk=started.pk).update(status=Status.AWAITING_INPUT)
    return PendingAction.objects.create(
        conversation=started,
        turn=turn,
        kind=PendingAction.Kind.FUNCTION_CALL,
        name="get_european_central_bank_interest_rate",
        arguments={"date": "2025-01-01"},
        tool_call_id="call-1",
        agent=agent,
    )


def test_sanitizer_keeps_markdown_and_drops_script_handlers_and_javascript_links():
    html = markdown_to_html(
        "**bold** <img src=x onerror=alert(1)> <script>alert(2)</script> "
        "[bad](javascript:alert(3)) [good](https://example.com)"
    )
    assert "<strong>bold</strong>" in html
    assert "<img" not in html and "<script" not in html
    assert "javascript:" not in html.replace("(javascript:alert(3))", "")
    assert 'href="https://example.com"' in html
    assert agent_color("a") == agent_color("a") != agent_color("b")


def test_conversation_page_for_members_404_for_outsiders(client, started, team):
    _, members = team
    url = reverse("conversation-detail", args=[started.pk])
    client.force_login(members["viewer"])
    response = client.get(url)
    assert response.status_code == 200
    assert b'id="conversation-state"' in response.content
    assert b"Follow-up message" not in response.content  # viewers read only
    client.force_login(members["outsider"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("conversation-rendered", args=[started.pk])).status_code == 404


def test_rendered_endpoint_returns_sanitized_html(client, started, team):
    _, members = team
    Entry.objects.create(
        conversation=started,
        position=5,
        type=Entry.Type.MESSAGE_OUTPUT,
        remote_id="msg_1",
        text="Hi <img src=x onerror=alert(1)> [x](javascript:alert(1))",
    )
    client.force_login(members["viewer"])
    body = client.get(reverse("conversation-rendered", args=[started.pk]) + "?ids=msg_1").json()
    assert set(body) == {"msg_1"}
    assert "<img" not in body["msg_1"] and 'href="javascript' not in body["msg_1"]


def test_start_form_preselects_entry_agent_and_starts(client, finance_graph, team):
    _, members = team
    url = reverse("conversation-start", args=[finance_graph.pk])
    client.force_login(members["operator"])
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{finance_graph.entry_agent_id}" selected'.encode() in page.content
    ecb = finance_graph.agents.get(name="ecb-interest-rate-agent")
    page = client.get(f"{url}?agent={ecb.pk}")
    assert f'value="{ecb.pk}" selected'.encode() in page.content
    assert b"selected" in client.get(f"{url}?agent=nonsense").content
    response = client.post(
        url,
        {
            "agent": str(finance_graph.entry_agent_id),
            "message": "Hello there",
            "handoff_execution": "client",
            "metadata": '{"sandbox_delay_ms": 5}',
        },
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("conversation-detail", args=[conversation.pk])
    assert conversation.handoff_execution == "client"
    assert conversation.metadata == {"sandbox_delay_ms": 5}
    assert conversation.started_by == members["operator"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"message": "   "}, "Message"),
        ({"metadata": "{nope"}, "Metadata (JSON object, optional)"),
        ({"metadata": "[1]"}, "Metadata (JSON object, optional)"),
        ({"agent": "00000000-0000-0000-0000-000000000000"}, "Agent"),
        ({"handoff_execution": "sideways"}, "Handoff execution"),
    ],
)
def test_start_form_bad_input_names_the_field_and_creates_nothing(
    client, finance_graph, team, data, field
):
    _, members = team
    client.force_login(members["operator"])
    body = {
        "agent": str(finance_graph.entry_agent_id),
        "message": "Hello",
        "handoff_execution": "server",
        **data,
    }
    response = client.post(reverse("conversation-start", args=[finance_graph.pk]), body)
    assert response.status_code == 400
    assert f"{field}:".encode() in response.content
    assert not Conversation.objects.exists()


def test_start_needs_operator_and_membership(client, finance_graph, team):
    _, members = team
    url = reverse("conversation-start", args=[finance_graph.pk])
    client.force_login(members["viewer"])
    assert client.get(url).status_code == 403
    client.force_login(members["outsider"])
    assert client.get(url).status_code == 404


def test_inbox_shows_action_with_context_viewers_read_only(client, waiting, team):
    _, members = team
    client.force_login(members["operator"])
    page = client.get(reverse("inbox")).content.decode()
    assert "get_european_central_bank_interest_rate" in page
    assert "Retrieve the real interest rate of European central bank." in page
    assert "What is the ECB rate?" in page
    assert "&quot;date&quot;: &quot;2025-01-01&quot;" in page
    assert "Send result" in page
    client.force_login(members["viewer"])
    page = client.get(reverse("inbox")).content.decode()
    assert "get_european_central_bank_interest_rate" in page
    assert "Send result" not in page and "Read-only" in page
    client.force_login(members["outsider"])
    page = client.get(reverse("inbox")).content.decode()
    assert "get_european_central_bank_interest_rate" not in page
    assert client.get(reverse("inbox-card", args=[waiting.pk])).status_code == 404


def test_inbox_form_resolves_through_the_service(client, waiting, team):
    _, members = team
    url = reverse("pending-resolve", args=[waiting.pk])
    client.force_login(members["viewer"])
    assert client.post(url, {"result": "2%"}).status_code == 403
    client.force_login(members["operator"])
    response = client.post(url, {"result": "{bad", "format": "json"}, follow=True)
    assert "Result: Not valid JSON" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "pending"
    response = client.post(
        url, {"result": "2.5%", "format": "text", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("inbox")
    waiting.refresh_from_db()
    assert waiting.status == "resolved" and waiting.result == "2.5%"
    assert waiting.resolved_by == members["operator"]
    assert Entry.objects.filter(type="function.result", conversation=waiting.conversation).exists()
    response = client.post(url, {"result": "3%"}, follow=True)
    assert "no longer pending" in response.content.decode()


def test_dashboard_lists_graphs_recent_and_pending(client, waiting, team, finance_graph):
    _, members = team
    client.force_login(members["operator"])
    page = client.get("/").content.decode()
    assert "Finance team" in page and finance_graph.name in page
    assert reverse("conversation-start", args=[finance_graph.pk]) in page
    assert "What is the ECB rate?" in page
    assert '<span class="stat-number" id="pending-count">1</span>' in page
    assert "replies are simulated" in page
    client.force_login(members["viewer"])
    page = client.get("/").content.decode()
    assert reverse("conversation-start", args=[finance_graph.pk]) not in page
    assert '<span class="stat-number" id="pending-count">0</span>' in page


def test_list_filters_search_and_paginates(client, finance_graph, team, make_user):
    _, members = team
    entry = finance_graph.entry_agent
    ecb = finance_graph.agents.get(name="ecb-interest-rate-agent")
    for i in range(30):
        conversation_start(actor=members["admin"], agent=entry, inputs=f"question number {i}")
    special = conversation_start(actor=members["operator"], agent=ecb, inputs="Find the rate")
    Entry.objects.create(
        conversation=special, position=9, type="message.output", text="The answer is zebra"
    )
    Conversation.objects.filter(pk=special.pk).update(status=Status.AWAITING_INPUT)
    client.force_login(members["viewer"])
    url = reverse("conversation-list")
    page = client.get(url)
    assert page.context["page"].paginator.count == 31
    assert len(page.context["page"].object_list) == 25
    assert client.get(url + "?page=2").context["page"].object_list[0].title
    for query in (
        "q=zebra",
        "status=awaiting_input",
        f"agent={ecb.pk}",
        f"started_by={members['operator'].pk}",
        f"graph={finance_graph.pk}&q=Find",
    ):
        objects = list(client.get(f"{url}?{query}").context["page"].object_list)
        assert [c.pk for c in objects] == [special.pk], query
    assert b'class="waiting"' in client.get(url + "?status=awaiting_input").content
    bad = client.get(url + "?status=bogus&date_from=2020-02-01&date_to=2020-01-01")
    assert "Status: Select a valid choice" in bad.content.decode()
    assert "To date: The end date is before the start date." in bad.content.decode()
    client.force_login(make_user("stranger"))
    assert client.get(url).context["page"].paginator.count == 0


def test_inbox_handoff_card_continue_or_stop(client, started, team, finance_graph):
    _, members = team
    turn = Turn.objects.get(conversation=started)
    Turn.objects.filter(pk=turn.pk).update(state=Turn.State.DONE)
    Conversation.objects.filter(pk=started.pk).update(status=Status.AWAITING_INPUT)
    action = PendingAction.objects.create(
        conversation=started,
        turn=turn,
        kind=PendingAction.Kind.HANDOFF,
        name="ecb-interest-rate-agent",
        arguments={"from": "finance-agent", "to": "ecb-interest-rate-agent"},
        agent=finance_graph.entry_agent,
    )
    client.force_login(members["operator"])
    page = client.get(reverse("inbox")).content.decode()
    assert "Handoff to ecb-interest-rate-agent" in page
    assert 'name="decision" value="continue"' in page and 'value="stop"' in page
    card = client.get(reverse("inbox-card", args=[action.pk]))
    assert (
        card.status_code == 200 and b"from finance-agent to ecb-interest-rate-agent" in card.content
    )
    response = client.post(reverse("pending-resolve", args=[action.pk]), {"decision": "stop"})
    assert response.status_code == 302
    action.refresh_from_db()
    started.refresh_from_db()
    assert action.decision == "stop" and started.status == Status.COMPLETED
    assert client.get(reverse("inbox-card", args=[action.pk])).status_code == 404
