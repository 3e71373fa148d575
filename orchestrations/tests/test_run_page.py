"""The run page's HTML and the state its inline timelines are drawn from (owner/member/outsider)."""

from __future__ import annotations

import json
import re

import pytest

from orchestrations.models import Orchestration
from orchestrations.services import run_start

pytestmark = pytest.mark.django_db


def _state(response) -> dict:
    found = re.search(r'<script id="run-state" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)  # fmt: skip
    assert found, "no run-state data block"
    return json.loads(found.group(1))


def test_run_page_gives_each_role_the_timelines_state(guide_graph, team, client):
    _, members = team
    orchestration = Orchestration.objects.get(graph=guide_graph, name="Conditional router")
    run = run_start(actor=members["operator"], orchestration=orchestration, inputs="x")
    url = f"/orchestration-runs/{run.pk}/"

    for role, can_operate in (("admin", True), ("operator", True), ("viewer", False)):
        client.force_login(members[role])
        response = client.get(url)
        assert response.status_code == 200, role
        state = _state(response)
        assert state["canOperate"] is can_operate, role
        names = {a["name"] for a in state["agents"]}
        assert names == set(guide_graph.agents.values_list("name", flat=True))
        assert all(a["color"].startswith("hsl(") for a in state["agents"])
        assert state["urls"] == {"resolve": "/api/pending/{id}/resolve/", "inbox": "/inbox/"}
        assert isinstance(state["remotes"], dict)
        # The CSP allows no inline style: colours travel as data and are set through the CSSOM.
        assert "style=" not in response.content.decode()
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]

    client.force_login(members["outsider"])
    assert client.get(url).status_code == 404
