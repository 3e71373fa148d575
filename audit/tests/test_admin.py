"""The admin shows everything that ran, read-only, even to superusers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.tests.conftest import make_pending
from conversations.models import Entry, Event, GeneratedFile, PendingAction, Turn
from integrations.mistral.models import RemoteAgent

pytestmark = pytest.mark.django_db

MODELS = {
    "auditentry": ("audit", AuditEntry),
    "event": ("conversations", Event),
    "entry": ("conversations", Entry),
    "conversation": ("conversations", None),
    "pendingaction": ("conversations", PendingAction),
    "generatedfile": ("conversations", GeneratedFile),
    "turn": ("conversations", Turn),
    "remoteagent": ("mistral", RemoteAgent),
}


@pytest.fixture
def su_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123")
    client.force_login(user)
    return client


@pytest.fixture
def history(world, conversation):
    pending = make_pending(conversation)
    RemoteAgent.objects.create(
        agent=world.triage, backend="sandbox:x", remote_id="ag_1", config_hash="h"
    )
    return conversation, pending


def _objects(conversation, pending):
    return {
        "auditentry": AuditEntry.objects.filter(action="conversation.start").first(),
        "event": conversation.events.first(),
        "entry": conversation.entries.first(),
        "conversation": conversation,
        "pendingaction": pending,
        "turn": conversation.turns.first(),
        "remoteagent": RemoteAgent.objects.first(),
    }


@pytest.mark.parametrize("name", sorted(MODELS))
def test_changelists_render_without_add_button(su_client, history, name):
    app, _ = MODELS[name]
    response = su_client.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200
    assert reverse(f"admin:{app}_{name}_add") not in response.content.decode()
    assert 'name="action"' not in response.content.decode()  # no bulk delete
    assert su_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403


@pytest.mark.parametrize(
    "name", ["auditentry", "event", "entry", "conversation", "pendingaction", "turn", "remoteagent"]
)
def test_change_pages_are_read_only_and_refuse_posts(su_client, history, name):
    app, _ = MODELS[name]
    obj = _objects(*history)[name]
    model = type(obj)
    before = list(model.objects.filter(pk=obj.pk).values())
    url = reverse(f"admin:{app}_{name}_change", args=[obj.pk])
    page = su_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for button in ('name="_save"', 'name="_continue"', 'name="_addanother"'):
        assert button not in html
    assert reverse(f"admin:{app}_{name}_delete", args=[obj.pk]) not in html

    assert su_client.post(url, {"type": "x", "action": "x", "status": "x"}).status_code == 403
    delete_url = reverse(f"admin:{app}_{name}_delete", args=[obj.pk])
    assert su_client.get(delete_url).status_code == 403
    assert su_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse(f"admin:{app}_{name}_changelist")
    response = su_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert list(model.objects.filter(pk=obj.pk).values()) == before


def test_conversation_page_links_to_its_history(su_client, history):
    conversation, pending = history
    html = su_client.get(
        reverse("admin:conversations_conversation_change", args=[conversation.pk])
    ).content.decode()
    for name in ("event", "entry", "pendingaction", "generatedfile", "turn"):
        changelist = reverse(f"admin:conversations_{name}_changelist")
        link = f"{changelist}?conversation__id__exact={conversation.pk}"
        assert link in html, name
    # The links filter: another conversation's events are not listed.
    other = type(conversation).objects.create(graph=conversation.graph, backend="sandbox")
    Event.objects.create(conversation=other, seq=1, type="conversation.status", data={})
    response = su_client.get(
        reverse("admin:conversations_event_changelist"),
        {"conversation__id__exact": str(conversation.pk)},
    )
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset)
    assert listed and listed == set(conversation.events.all())


def test_json_is_pretty_and_escaped(su_client, history):
    conversation, _ = history
    event = Event.objects.create(
        conversation=conversation,
        seq=conversation.events.count() + 1,
        type="message.output.delta",
        data={"content": "<script>alert(1)</script>"},
    )
    html = su_client.get(
        reverse("admin:conversations_event_change", args=[event.pk])
    ).content.decode()
    assert '<pre class="json">{\n  &quot;content&quot;: &quot;&lt;script&gt;' in html
    assert "<script>alert(1)</script>" not in html


def test_filters_and_search(su_client, history, world):
    conversation, _ = history
    url = reverse("admin:audit_auditentry_changelist")
    response = su_client.get(url, {"action": "conversation.start", "q": "operator"})
    assert response.status_code == 200
    assert [e.action for e in response.context["cl"].queryset] == ["conversation.start"]
    response = su_client.get(
        reverse("admin:conversations_conversation_changelist"),
        {"graph__workspace__id__exact": str(world.workspace.pk), "status": conversation.status},
    )
    assert list(response.context["cl"].queryset) == [conversation]
    response = su_client.get(
        reverse("admin:conversations_conversation_changelist"), {"q": str(conversation.pk)}
    )
    assert list(response.context["cl"].queryset) == [conversation]


def test_admin_is_staff_only(client, world, history):
    client.force_login(world.users["admin"])  # a workspace admin is not Django staff
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_rows_of_deleted_workspaces_and_users_still_render(su_client, make_user):
    from workspaces import services

    user = make_user("gone")
    workspace = services.workspace_create(actor=user, name="Vanished")
    services.workspace_delete(actor=user, workspace=workspace)
    user.delete()
    row = AuditEntry.objects.get(action="workspace.delete", workspace_name="Vanished")
    listing = su_client.get(reverse("admin:audit_auditentry_changelist"))
    assert listing.status_code == 200 and "Vanished" in listing.content.decode()
    page = su_client.get(reverse("admin:audit_auditentry_change", args=[row.pk]))
    assert page.status_code == 200
    assert "gone" in page.content.decode()
