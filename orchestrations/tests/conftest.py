"""A workspace with members of every role and the orchestration guide's demo graph."""

from __future__ import annotations

import pytest

from agents.demo_orchestrations import ORCHESTRATION_GUIDE
from agents.services import graph_import
from workspaces.models import Membership
from workspaces.services import workspace_create


@pytest.fixture
def team(make_user):
    owner = make_user("owner")
    workspace = workspace_create(actor=owner, name="Patterns team")
    members = {"admin": owner}
    for role in ("editor", "operator", "viewer"):
        user = make_user(role)
        Membership.objects.create(workspace=workspace, user=user, role=role)
        members[role] = user
    members["outsider"] = make_user("outsider")
    return workspace, members


@pytest.fixture
def guide_graph(team):
    workspace, members = team
    return graph_import(actor=members["admin"], workspace=workspace, document=ORCHESTRATION_GUIDE)


@pytest.fixture
def api_for(asgi_server, token_for):
    from conversations.tests.conftest import Api

    def make(user) -> Api:
        return Api(asgi_server.url, token_for(user))

    return make


# Every CSP violation and page error of a browser test (the hardening suite's watcher).
from tests.test_hardening_browser import csp_watch  # noqa: E402, F401
