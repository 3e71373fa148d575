"""Agents API contract: every `client.beta.agents` method through the real SDK over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from mistralai.client import Mistral
from mistralai.client.errors import HTTPValidationError, SDKError
from mistralai.client.models import Agent, CodeInterpreterTool, FunctionTool, WebSearchTool

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
AUTH = {"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"}

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "w",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _lower(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _raw(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, _lower(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers), error.read()


def test_create_get_and_typed_tools(client):
    created = client.beta.agents.create(
        model="mistral-medium-latest",
        name="Writer",
        instructions="i",
        description="d",
        tools=[WEATHER, {"type": "web_search"}, {"type": "code_interpreter"}],
        completion_args={"temperature": 0.3, "top_p": 0.95},
        metadata={"team": "docs"},
    )
    assert isinstance(created, Agent)
    assert created.id.startswith("ag_") and len(created.id) == 35
    assert (created.version, created.versions) == (0, [0])
    assert created.source == "api" and created.deployment_chat is False
    assert created.completion_args.temperature == 0.3
    assert [type(t) for t in created.tools] == [FunctionTool, WebSearchTool, CodeInterpreterTool]

    fetched = client.beta.agents.get(agent_id=created.id)
    assert fetched.model_dump() == created.model_dump()


def test_update_bumps_the_version_and_versions_stay_readable(client):
    agent = client.beta.agents.create(model="m", name="a", instructions="first")
    other = client.beta.agents.create(model="m", name="b")

    updated = client.beta.agents.update(agent_id=agent.id, handoffs=[other.id])
    assert (updated.version, updated.versions, updated.handoffs) == (1, [0, 1], [other.id])
    assert updated.instructions == "first"  # untouched fields carry over
    again = client.beta.agents.update(agent_id=agent.id, instructions="second")
    assert again.version == 2 and again.handoffs == [other.id]

    versions = client.beta.agents.list_versions(agent_id=agent.id)
    assert [v.version for v in versions] == [0, 1, 2]
    assert client.beta.agents.get_version(agent_id=agent.id, version="0").instructions == "first"
    assert client.beta.agents.get(agent_id=agent.id, agent_version=1).handoffs == [other.id]

    switched = client.beta.agents.update_version(agent_id=agent.id, version=0)
    assert switched.version == 0 and switched.instructions == "first"
    assert client.beta.agents.get(agent_id=agent.id).version == 0


def test_aliases(client):
    agent = client.beta.agents.create(model="m", name="aliased", instructions="v0")
    client.beta.agents.update(agent_id=agent.id, instructions="v1")

    alias = client.beta.agents.create_version_alias(agent_id=agent.id, alias="prod", version=0)
    assert (alias.alias, alias.version) == ("prod", 0)
    moved = client.beta.agents.create_version_alias(agent_id=agent.id, alias="prod", version=1)
    assert moved.version == 1
    client.beta.agents.create_version_alias(agent_id=agent.id, alias="old", version=0)
    listed = client.beta.agents.list_version_aliases(agent_id=agent.id)
    assert [(a.alias, a.version) for a in listed] == [("old", 0), ("prod", 1)]
    assert client.beta.agents.get(agent_id=agent.id, agent_version="old").instructions == "v0"

    client.beta.agents.delete_version_alias(agent_id=agent.id, alias="old")
    assert [a.alias for a in client.beta.agents.list_version_aliases(agent_id=agent.id)] == ["prod"]


@pytest.mark.filterwarnings("ignore:warning. \\*\\* DEPRECATED:DeprecationWarning")
def test_list_and_list_pages_ignore_the_metadata_sentinel(client):
    names = [f"lister-{i}" for i in range(5)]
    for name in names:
        client.beta.agents.create(model="m", name=name, metadata={"group": "list"})
    client.beta.agents.create(model="m", name="outsider", metadata={"group": "other"})

    # Without `metadata` the SDK sends a sentinel string; the sandbox must treat it as absent.
    assert len(client.beta.agents.list(page=0, page_size=100)) == 6
    by_meta = client.beta.agents.list(metadata={"group": "list"})
    assert sorted(a.name for a in by_meta) == names
    assert [a.name for a in client.beta.agents.list(name="outsider")] == ["outsider"]

    seen = []
    page = client.beta.agents.list_pages(page_size=2)
    while page is not None:
        seen += [a.name for a in page.result.data]
        page = page.next()
    assert sorted(seen) == sorted([*names, "outsider"])


def test_delete_is_204_and_unknown_agents_are_404(client):
    agent = client.beta.agents.create(model="m", name="short-lived")
    assert client.beta.agents.delete(agent_id=agent.id) is None
    for call in (
        lambda: client.beta.agents.get(agent_id=agent.id),
        lambda: client.beta.agents.update(agent_id=agent.id, name="x"),
        lambda: client.beta.agents.delete(agent_id=agent.id),
        lambda: client.beta.agents.list_versions(agent_id=agent.id),
    ):
        with pytest.raises(SDKError) as caught:
            call()
        assert caught.value.status_code == 404
        assert json.loads(caught.value.body)["object"] == "error"


def test_missing_required_fields_are_422(sandbox_url):
    request = urllib.request.Request(
        f"{sandbox_url}/v1/agents",
        data=json.dumps({"model": "m"}).encode(),
        method="POST",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 422
    assert json.loads(caught.value.read())["message"]["detail"][0]["loc"] == ["body", "name"]


def test_sdk_raises_validation_error_on_422(client):
    with pytest.raises(HTTPValidationError):
        client.beta.agents.update_version(agent_id="ag_x", version=-1)


def test_sdk_without_key_gets_401(sandbox_url, monkeypatch):
    monkeypatch.delenv("MISTRAL_API_KEY", raising=False)
    with pytest.raises(SDKError) as caught:
        Mistral(server_url=sandbox_url).beta.agents.list_pages()
    assert caught.value.status_code == 401
