"""Where a row's address and user agent come from, and what is not a human action."""

from __future__ import annotations

import pytest

from audit import context
from audit.models import AuditEntry
from audit.services import audit_record
from audit.tests.conftest import new_rows
from conversations.models import Status
from conversations.services import conversation_set_status

pytestmark = pytest.mark.django_db


def test_api_request_records_address_and_agent(world):
    client = world.client("admin")
    with new_rows() as rows:
        client.post(
            "/api/workspaces/",
            {"name": "Addr"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_USER_AGENT="curl/8",
            HTTP_X_FORWARDED_FOR="6.6.6.6",
        )
    row = rows.row
    assert (row.ip, row.user_agent) == ("198.51.100.7", "curl/8")  # XFF not trusted by default


def test_forwarded_for_is_used_only_when_trusted(world, settings):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    with new_rows() as rows:
        world.client("admin").post(
            "/api/workspaces/",
            {"name": "Proxied"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1",
        )
    assert rows.row.ip == "203.0.113.5"


def test_no_request_no_address_and_context_does_not_leak(world):
    world.client("admin").post("/api/workspaces/", {"name": "X"}, REMOTE_ADDR="192.0.2.44")
    assert context.current() == context.RequestContext()
    row = audit_record(actor=None, action="graph.create")
    assert (row.ip, row.user_agent, row.request) == (None, "", "")


def test_worker_status_changes_are_not_audited(world, conversation):
    with new_rows() as rows:
        assert conversation_set_status(
            conversation=conversation, expected=(Status.QUEUED,), status=Status.RUNNING
        )
    assert rows.rows == []
    assert AuditEntry.objects.filter(object_id=str(conversation.pk)).count() == 1  # the start
