"""One status vocabulary: the model's statuses, labels and final set, read by every page's script
from the server instead of copies in the browser code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from conversations.models import FINAL_STATUSES, Conversation, Status
from conversations.services import conversation_start

ROOT = Path(__file__).resolve().parents[2]
BROWSER_CODE = [
    *sorted((ROOT / "static" / "conversations").glob("*.js")),
    *sorted((ROOT / "frontend" / "src").glob("*.js*")),
]
STATUS_VALUES = "|".join(status.value for status in Status)


def _vocabulary(html: str) -> list[dict]:
    found = re.search(
        r'<script id="conversation-statuses" type="application/json">(.*?)</script>', html
    )
    assert found, "the page carries no status vocabulary"
    return json.loads(found.group(1))


def test_final_statuses_are_the_turns_that_are_over():
    assert set(FINAL_STATUSES) == {Status.COMPLETED, Status.FAILED, Status.CANCELLED}


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_carries_the_models_statuses_labels_and_final_set(client, make_user, signed_in):
    if signed_in:
        client.force_login(make_user())
    html = client.get(reverse("home" if signed_in else "login")).content.decode()
    assert _vocabulary(html) == [
        {"value": status.value, "label": status.label, "final": status in FINAL_STATUSES}
        for status in Status
    ]


@pytest.mark.django_db
def test_server_rendered_badges_use_the_models_label(client, finance_graph, team):
    _, members = team
    started = conversation_start(
        actor=members["operator"], agent=finance_graph.entry_agent, inputs="What is the ECB rate?"
    )
    Conversation.objects.filter(pk=started.pk).update(status=Status.AWAITING_INPUT)
    client.force_login(members["viewer"])
    html = client.get(reverse("conversation-list")).content.decode()
    assert f'data-status-of="{started.pk}">{Status.AWAITING_INPUT.label}</span>' in html


@pytest.mark.parametrize("path", BROWSER_CODE, ids=lambda p: p.name)
def test_browser_code_keeps_no_copy_of_the_status_sets_or_labels(path):
    source = path.read_text()
    # A list of statuses (`["completed", "failed", …]`) or a status → label map.
    status_list = rf'["\']({STATUS_VALUES})["\']\s*,\s*["\']({STATUS_VALUES})["\']'
    label_map = rf'\b({STATUS_VALUES})["\']?\s*:\s*["\']'
    assert not re.search(status_list, source), path
    assert not re.search(label_map, source), path
