"""Fixtures for the engine's integration tests: a workspace with members of every role and the
finance graph of the handoffs guide, plus REST and WebSocket helpers against the live server."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import websockets

from agents.demo import FINANCE
from agents.services import graph_import
from workspaces.models import Membership
from workspaces.services import workspace_create

EXAMPLE_B = (
    "Given the interest rate of the European Central Bank as of jan 2025, plot a graph of the "
    "compounded interest rate over the next 10 years"
)


@pytest.fixture
def team(make_user):
    owner = make_user("owner")
    workspace = workspace_create(actor=owner, name="Finance team")
    members = {"admin": owner}
    for role in ("editor", "operator", "viewer"):
        user = make_user(role)
        Membership.objects.create(workspace=workspace, user=user, role=role)
        members[role] = user
    members["outsider"] = make_user("outsider")
    return workspace, members


@pytest.fixture
def finance_graph(team):
    workspace, members = team
    return graph_import(actor=members["admin"], workspace=workspace, document=FINANCE)


class Api:
    """A tiny JSON client for the live server, authenticated by DRF token."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                kind = response.headers.get("Content-Type", "")
                return response.status, json.loads(raw) if "json" in kind else raw
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None):
        return self.call("POST", path, body if body is not None else {})

    def wait_status(self, conversation_id, statuses, timeout=60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code, body = self.get(f"/api/conversations/{conversation_id}/")
            assert code == 200, body
            if body["status"] in statuses:
                return body
            time.sleep(0.2)
        raise AssertionError(f"conversation stayed {body['status']}, wanted {statuses}")


@pytest.fixture
def api_for(asgi_server, token_for):
    def make(user) -> Api:
        return Api(asgi_server.url, token_for(user))

    return make


async def _watch(url: str, token: str, until: set[str], timeout: float) -> list[dict]:
    received = []
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Token {token}"}
    ) as ws:
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await ws.recv())
                received.append(message)
                if message["type"] == "conversation.status" and message["data"]["status"] in until:
                    return received


@pytest.fixture
def watch(asgi_server, token_for):
    """Collect a conversation's WebSocket events until a status in `until` arrives."""

    def run(user, conversation_id, until, after=0, timeout=60):
        url = f"{asgi_server.ws_url}/ws/conversations/{conversation_id}/?after={after}"
        return asyncio.run(_watch(url, token_for(user), set(until), timeout))

    return run
