"""The sandbox's state lives in its own database, and the product's never does."""

from __future__ import annotations

import pytest
from django.db import connections, router

from sandbox.models import SandboxAgent, SandboxAgentVersion, SandboxConversation, SandboxEntry

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def test_rows_written_through_the_api_land_in_the_sandbox_database(client):
    agent = client.beta.agents.create(model="mistral-medium-latest", name="where-am-i")
    conversation = client.beta.conversations.start(agent_id=agent.id, inputs="hello")

    assert SandboxAgent.objects.using("sandbox").filter(pk=agent.id).exists()
    assert SandboxAgentVersion.objects.using("sandbox").filter(agent_id=agent.id).exists()
    found = SandboxConversation.objects.using("sandbox").get(pk=conversation.conversation_id)
    assert SandboxEntry.objects.using("sandbox").filter(conversation=found).count() >= 2
    # The product's database has no sandbox tables to hold them.
    assert not [t for t in connections["default"].introspection.table_names() if "sandbox" in t]


def test_the_router_keeps_each_app_to_its_database():
    assert router.db_for_read(SandboxAgent) == router.db_for_write(SandboxAgent) == "sandbox"
    assert router.allow_migrate("sandbox", "sandbox") and not router.allow_migrate(
        "default", "sandbox"
    )
    for app_label in ("auth", "contenttypes", "agents", "conversations", "audit"):
        assert router.allow_migrate("default", app_label)
        assert not router.allow_migrate("sandbox", app_label)
    tables = connections["sandbox"].introspection.table_names()
    assert "sandbox_sandboxagent" in tables
    assert not [t for t in tables if t.startswith(("auth_", "agents_", "conversations_"))]
