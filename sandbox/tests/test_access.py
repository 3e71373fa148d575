"""Only the install's key opens the sandbox: any other key, or none, gets the Mistral API's 401."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from mistralai.client import Mistral
from mistralai.client.errors import SDKError

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def _call(url: str, method: str = "GET", headers: dict | None = None, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def _assert_mistral_401(status: int, kind: str, raw: bytes) -> None:
    assert status == 401
    assert kind.startswith("application/json")
    body = json.loads(raw)
    assert set(body) == {"message", "request_id"} and body["message"] == "Unauthorized"


@pytest.fixture
def tenant(client):
    """What one install's product keeps in the sandbox: an agent with a tool, a conversation."""
    agent = client.beta.agents.create(
        model="mistral-medium-latest",
        name="tenant-agent",
        tools=[{"type": "function", "function": {"name": "get_rate", "parameters": {}}}],
    )
    conversation = client.beta.conversations.start(agent_id=agent.id, inputs="hello")
    return agent, conversation


def _routes(agent_id: str, conversation_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", "/v1/conversations", None),
        ("GET", f"/v1/conversations/{conversation_id}", None),
        ("GET", f"/v1/conversations/{conversation_id}/history", None),
        ("GET", "/v1/agents", None),
        ("GET", f"/v1/agents/{agent_id}", None),
        ("PATCH", f"/v1/agents/{agent_id}", {"tools": []}),
        ("DELETE", f"/v1/agents/{agent_id}", None),
        ("GET", "/v1/files", None),
        ("GET", "/v1/nowhere", None),
    ]


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no header at all
        "Bearer a-strangers-key",
        "Bearer",
        "Token {key}",
        "Basic {key}",
        "Bearer {key}x",
        "Bearer x{key}",
    ],
)
def test_only_the_install_key_opens_the_sandbox(sandbox_url, client, tenant, authorization):
    agent, conversation = tenant
    header = {}
    if authorization is not None:
        header = {"Authorization": authorization.format(key=settings.SANDBOX_API_KEY)}
    for method, path, body in _routes(agent.id, conversation.conversation_id):
        _assert_mistral_401(*_call(sandbox_url + path, method, header, body))
    # The refused PATCH and DELETE did nothing, as the install's key shows.
    assert [t.function.name for t in client.beta.agents.get(agent_id=agent.id).tools] == [
        "get_rate"
    ]
    assert conversation.conversation_id in {c.id for c in client.beta.conversations.list()}
    install = {"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"}
    status, _, raw = _call(f"{sandbox_url}/v1/nowhere", headers=install)
    assert (status, json.loads(raw)) == (404, {"detail": "Not Found"})


def test_the_sdk_with_a_strangers_key_raises_its_normal_error(sandbox_url, tenant):
    agent, _ = tenant
    stranger = Mistral(api_key="a-strangers-key", server_url=sandbox_url)
    for call in (
        lambda: stranger.beta.conversations.list(),
        lambda: stranger.beta.agents.get(agent_id=agent.id),
        lambda: stranger.beta.agents.update(agent_id=agent.id, tools=[]),
    ):
        with pytest.raises(SDKError) as caught:
            call()
        assert caught.value.status_code == 401
        assert json.loads(caught.value.body)["message"] == "Unauthorized"


@pytest.mark.parametrize("depth", [65, 100_000])
def test_a_deeply_nested_body_is_a_validation_error_not_a_500(sandbox_url, tenant, depth):
    agent, _ = tenant
    install = {
        "Authorization": f"Bearer {settings.SANDBOX_API_KEY}",
        "Content-Type": "application/json",
    }
    body = ('{"inputs": ' + "[" * depth + "]" * depth + "}").encode()
    for method, path in (("POST", "/v1/conversations"), ("PATCH", f"/v1/agents/{agent.id}")):
        request = urllib.request.Request(
            sandbox_url + path, data=body, method=method, headers=install
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        assert status == 422, (path, status)
        assert json.loads(raw)["message"]["detail"][0]["loc"] == ["body"]
