"""The server side of the live UX: the favicon, the header's inbox count (rendered and its JSON),
the start form's example prompts, the dashboard's status words, the conversation page's state."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from agents.demo import FINANCE
from conversations.costs import ModelPrice
from conversations.examples import EXAMPLE_PROMPTS
from conversations.models import Conversation, PendingAction, Status, Turn
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(finance_graph, team):
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="What is the rate?"
    )
    turn = conversation.turns.get()
    Turn.objects.filter(pk=turn.pk).update(state="done")
    Conversation.objects.filter(pk=conversation.pk).update(status=Status.AWAITING_INPUT)
    return PendingAction.objects.create(
        conversation=conversation,
        turn=turn,
        kind="function_call",
        name="get_rate",
        arguments={},
        tool_call_id="abc123XYZ",
    )


def test_favicon_ico_answers_everyone_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)


def test_every_page_links_the_icon(client, make_user):
    client.force_login(make_user())
    html = client.get(reverse("home")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon.svg"', html)


@pytest.mark.parametrize(("role", "count"), [("admin", 1), ("operator", 1), ("viewer", 0)])
def test_the_inbox_count_is_what_the_user_can_answer(client, team, waiting, role, count):
    _, members = team
    client.force_login(members[role])
    assert client.get(reverse("inbox-count")).json() == {"pending": count}
    html = client.get(reverse("home")).content.decode()
    badge = re.search(r'<span id="nav-inbox-count"[^>]*data-count="(\d+)"[^>]*>(\d+)</span>', html)
    assert badge and badge.groups() == (str(count), str(count))


def test_the_inbox_count_tells_outsiders_nothing_and_refuses_writes(client, team, waiting):
    _, members = team
    client.force_login(members["outsider"])
    assert client.get(reverse("inbox-count")).json() == {"pending": 0}
    assert client.post(reverse("inbox-count")).status_code == 405
    client.logout()
    response = client.get(reverse("inbox-count"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_resolved_actions_leave_the_count(client, team, waiting):
    _, members = team
    PendingAction.objects.filter(pk=waiting.pk).update(status=PendingAction.State.RESOLVED)
    client.force_login(members["operator"])
    assert client.get(reverse("inbox-count")).json() == {"pending": 0}


def test_the_start_form_offers_the_demo_graphs_examples(client, team, finance_graph):
    _, members = team
    client.force_login(members["operator"])
    html = client.get(reverse("conversation-start", args=[finance_graph.pk])).content.decode()
    assert finance_graph.name == FINANCE["name"]
    for example in EXAMPLE_PROMPTS["Finance"]:
        assert f'data-prompt="{example.prompt}"' in html
    assert html.count('class="secondary use-example"') == len(EXAMPLE_PROMPTS["Finance"])


def test_a_graph_of_ones_own_has_no_examples_section(client, team):
    from agents.services import graph_create

    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Mine")
    client.force_login(members["operator"])
    html = client.get(reverse("conversation-start", args=[graph.pk])).content.decode()
    assert "Example prompts" not in html


def test_the_dashboard_words_a_status_as_its_label(client, make_user):
    client.force_login(make_user())
    html = client.get(reverse("home")).content.decode()
    assert f"conversations {Status.AWAITING_INPUT.label.lower()}" in html
    assert "waiting for input" not in html


def test_the_conversation_page_state_carries_the_log_position_and_a_price(
    client, team, finance_graph
):
    _, members = team
    conversation = conversation_start(
        actor=members["operator"], agent=finance_graph.entry_agent, inputs="Hello"
    )
    client.force_login(members["viewer"])
    html = client.get(reverse("conversation-detail", args=[conversation.pk])).content.decode()
    state = json.loads(
        re.search(
            r'<script id="conversation-state" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    conversation.refresh_from_db()
    assert state["lastSeq"] == conversation.last_seq
    # finance-agent runs mistral-large-latest: the estimate is the admins' price table's.
    ModelPrice.objects.update_or_create(
        model="mistral-large-latest",
        defaults={
            "input_per_million": "3.25",
            "output_per_million": "7.5",
            "taken_on": "2026-12-01",
        },
    )
    html = client.get(reverse("conversation-detail", args=[conversation.pk])).content.decode()
    state = json.loads(
        re.search(
            r'<script id="conversation-state" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    assert state["price"] == [3.25, 7.5]
    for view in ("Reading", "Lanes", "Raw events"):
        assert f'data-view="{view.lower().split()[0]}"' in html


def test_a_step_conversation_links_back_to_its_orchestration_run(client, team, finance_graph):
    _, members = team
    run_id = "6f1c5e0a-0000-4000-8000-000000000001"
    step = conversation_start(
        actor=members["operator"],
        agent=finance_graph.entry_agent,
        inputs="Hello",
        metadata={"orchestration_run": run_id, "orchestration_step": "spec.sequence[0]"},
    )
    plain = conversation_start(
        actor=members["operator"], agent=finance_graph.entry_agent, inputs="Hello"
    )
    client.force_login(members["viewer"])
    html = client.get(reverse("conversation-detail", args=[step.pk])).content.decode()
    assert f'href="/orchestration-runs/{run_id}/"' in html and "spec.sequence[0]" in html
    html = client.get(reverse("conversation-detail", args=[plain.pk])).content.decode()
    assert "conv-orchestration" not in html
