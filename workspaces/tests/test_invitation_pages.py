"""The invitee's page: linked from the header only while there are open invitations; accept and
decline for the invitee only; and the same flow in real Chromium."""

from __future__ import annotations

import pytest
from django.test import Client

from agents.tests.conftest import World
from workspaces import services
from workspaces.models import Invitation, Membership
from workspaces.roles import Role


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_header_links_the_page_only_while_invitations_are_open(world: World, make_user):
    newbie = make_user("newbie")
    client = signed_in(newbie)
    assert "Invitations (" not in client.get("/graphs/").content.decode()

    invitation = services.invitation_create(
        actor=world.users["admin"], workspace=world.workspace, invitee="newbie", role=Role.EDITOR
    )
    page = client.get("/graphs/").content.decode()
    listing = client.get("/invitations/")

    assert 'href="/invitations/"' in page and "Invitations (1)" in page
    assert listing.status_code == 200
    assert "Support" in listing.content.decode() and "editor" in listing.content.decode()
    response = client.post(f"/invitations/{invitation.pk}/respond/", {"answer": "accept"})
    assert response.status_code == 302
    assert Membership.objects.get(workspace=world.workspace, user=newbie).role == Role.EDITOR
    assert "Invitations (" not in client.get("/graphs/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "viewer", "outsider"])
def test_only_the_invitee_answers_on_the_page(world: World, make_user, role: str):
    invitation = services.invitation_create(
        actor=world.users["admin"], workspace=world.workspace, invitee="newbie", role=Role.VIEWER
    )
    client = signed_in(world.users[role])

    assert "Support" not in client.get("/invitations/").content.decode()
    response = client.post(f"/invitations/{invitation.pk}/respond/", {"answer": "accept"})

    assert response.status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


@pytest.mark.django_db
def test_decline_and_bad_answers_on_the_page(world: World, make_user):
    newbie = make_user("newbie")
    invitation = services.invitation_create(
        actor=world.users["admin"], workspace=world.workspace, invitee="newbie", role=Role.VIEWER
    )
    client = signed_in(newbie)
    url = f"/invitations/{invitation.pk}/respond/"

    assert client.post(url, {"answer": "join-as-admin"}).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
    assert client.post(url, {"answer": "decline"}).status_code == 302
    again = client.post(url, {"answer": "accept"}, follow=True)

    assert "no longer pending" in again.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).status == "declined"
    assert not Membership.objects.filter(user=newbie).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_invitee_accepts_in_the_browser(signed_in_page, asgi_server, make_user):
    from playwright.sync_api import expect

    admin, newbie = make_user("boss"), make_user("newbie")
    workspace = services.workspace_create(actor=admin, name="Research")
    services.invitation_create(actor=admin, workspace=workspace, invitee="newbie", role="editor")
    page = signed_in_page(newbie)

    page.get_by_role("link", name="Invitations (1)").click()
    expect(page.get_by_role("heading", name="Research")).to_be_visible()
    page.get_by_role("button", name="Accept the invitation to Research").click()

    expect(page.get_by_text("You joined Research.")).to_be_visible()
    expect(page.get_by_role("link", name="Invitations (1)")).to_have_count(0)
    assert Membership.objects.get(workspace=workspace, user=newbie).role == Role.EDITOR


@pytest.mark.django_db
def test_admin_site_lists_invitations_and_revokes_through_the_service(world: World, make_user):
    from django.urls import reverse

    from audit.models import Action, AuditEntry

    invitation = services.invitation_create(
        actor=world.users["admin"], workspace=world.workspace, invitee="newbie", role=Role.VIEWER
    )
    client = signed_in(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:workspaces_invitation_changelist")

    assert "newbie" in client.get(url, {"q": "newbie"}).content.decode()
    assert client.get(reverse("admin:workspaces_invitation_add")).status_code == 403
    client.post(url, {"action": "revoke", "_selected_action": [str(invitation.pk)]})

    assert Invitation.objects.get(pk=invitation.pk).status == "revoked"
    assert AuditEntry.objects.filter(action=Action.INVITATION_REVOKE).count() == 1
