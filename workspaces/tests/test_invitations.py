"""Invitations: admins invite (and revoke), only the invitee accepts or declines, accepting is
what makes the membership, and the answer to "invite X" never tells whether X has an account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agents.tests.conftest import ROLES, World, db_state
from audit.models import AuditEntry
from workspaces import services
from workspaces.exceptions import ObjectGone
from workspaces.models import Invitation, Membership
from workspaces.roles import Role

VOLATILE = {"id", "created_at", "expires_at"}


def invitations_url(world: World) -> str:
    return f"/api/workspaces/{world.workspace.id}/invitations/"


def client_for(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def invite(world: World, invitee: str = "newbie", role: str = "viewer") -> Invitation:
    return services.invitation_create(
        actor=world.users["admin"], workspace=world.workspace, invitee=invitee, role=role
    )


@pytest.mark.django_db
def test_the_answer_is_the_same_whether_or_not_the_username_exists(world: World, make_user):
    make_user("real-person")
    client = world.client("admin")

    existing = client.post(
        invitations_url(world), {"invitee": "real-person", "role": "editor"}, format="json"
    )
    missing = client.post(
        invitations_url(world), {"invitee": "made-up-person", "role": "editor"}, format="json"
    )

    assert existing.status_code == missing.status_code == 202
    assert existing.headers.get("Content-Type") == missing.headers.get("Content-Type")
    a, b = existing.json(), missing.json()
    assert set(a) == set(b)
    assert {k: v for k, v in a.items() if k not in VOLATILE | {"invitee"}} == {
        k: v for k, v in b.items() if k not in VOLATILE | {"invitee"}
    }
    assert a["status"] == b["status"] == "pending"
    # Neither made anyone a member: the invitee has to accept.
    assert not Membership.objects.filter(workspace=world.workspace, user__username="real-person")
    assert Invitation.objects.filter(workspace=world.workspace).count() == 2


@pytest.mark.django_db
def test_invitee_sees_accepts_and_becomes_a_member(world: World, make_user, token_for):
    invitation = invite(world, "newbie", "operator")
    newbie = client_for(make_user("newbie"), token_for)

    listed = newbie.get("/api/invitations/").json()["results"]
    accepted = newbie.post(f"/api/invitations/{invitation.id}/accept/")

    assert [i["id"] for i in listed] == [str(invitation.id)]
    assert listed[0]["workspace_name"] == "Support" and listed[0]["invited_by"] == "admin"
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["invitation"]["status"] == "accepted"
    membership = Membership.objects.get(workspace=world.workspace, user__username="newbie")
    assert membership.role == Role.OPERATOR
    assert accepted.json()["membership"]["id"] == str(membership.id)
    assert newbie.get("/api/invitations/").json()["results"] == []
    assert newbie.get(f"/api/workspaces/{world.workspace.id}/").json()["role"] == "operator"


@pytest.mark.django_db
def test_an_email_invitation_matches_the_account_with_that_email(world, make_user, token_for):
    invitation = invite(world, "New.Person@Example.com")
    person = client_for(make_user("np", email="new.person@example.com"), token_for)

    assert person.post(f"/api/invitations/{invitation.id}/accept/").status_code == 200
    assert Membership.objects.filter(workspace=world.workspace, user__username="np").exists()


@pytest.mark.django_db
def test_an_invitation_for_a_missing_username_waits_for_whoever_registers_it(
    world, make_user, token_for
):
    invitation = invite(world, "not-yet")
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"

    late = client_for(make_user("not-yet"), token_for)

    assert [i["id"] for i in late.get("/api/invitations/").json()["results"]] == [
        str(invitation.id)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_nobody_but_the_invitee_can_answer(world: World, role: str, action: str):
    invitation = invite(world, "newbie")
    before = db_state()
    rows = AuditEntry.objects.count()

    response = world.client(role).post(f"/api/invitations/{invitation.id}/{action}/")
    listed = world.client(role).get("/api/invitations/").json()["results"]

    # The workspace's own admin included: they revoke, they do not answer for someone else.
    assert response.status_code == 404
    assert listed == []
    assert db_state() == before and AuditEntry.objects.count() == rows


@pytest.mark.django_db
def test_double_accept_is_409_and_makes_one_membership(world, make_user, token_for):
    invitation = invite(world, "newbie")
    newbie = client_for(make_user("newbie"), token_for)
    url = f"/api/invitations/{invitation.id}/"

    first = newbie.post(f"{url}accept/")
    rows = AuditEntry.objects.count()
    second = newbie.post(f"{url}accept/")
    decline = newbie.post(f"{url}decline/")

    assert first.status_code == 200
    assert second.status_code == decline.status_code == 409
    assert "accepted" in second.json()["detail"]
    assert (
        Membership.objects.filter(workspace=world.workspace, user__username="newbie").count() == 1
    )
    assert AuditEntry.objects.count() == rows


@pytest.mark.django_db
def test_a_revoked_declined_or_expired_invitation_cannot_be_accepted(world, make_user, token_for):
    newbie_user = make_user("newbie")
    newbie = client_for(newbie_user, token_for)
    admin = world.client("admin")

    revoked = invite(world, "newbie")
    assert admin.post(f"{invitations_url(world)}{revoked.id}/revoke/").status_code == 200
    assert newbie.get("/api/invitations/").json()["results"] == []
    assert newbie.post(f"/api/invitations/{revoked.id}/accept/").status_code == 409

    declined = invite(world, "newbie")
    assert newbie.post(f"/api/invitations/{declined.id}/decline/").status_code == 200
    assert newbie.post(f"/api/invitations/{declined.id}/accept/").status_code == 409
    assert admin.post(f"{invitations_url(world)}{declined.id}/revoke/").status_code == 409

    expired = invite(world, "newbie")
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert newbie.get("/api/invitations/").json()["results"] == []
    response = newbie.post(f"/api/invitations/{expired.id}/accept/")
    assert response.status_code == 409 and "expired" in response.json()["detail"]
    assert Invitation.objects.get(pk=expired.pk).status == "expired"

    assert not Membership.objects.filter(workspace=world.workspace, user=newbie_user).exists()


@pytest.mark.django_db
def test_admins_list_and_revoke_only_their_workspaces_invitations(world: World):
    ours = invite(world, "newbie")
    theirs = services.invitation_create(
        actor=world.users["outsider"],
        workspace=world.other_workspace,
        invitee="someone",
        role=Role.VIEWER,
    )
    admin = world.client("admin")

    listed = admin.get(invitations_url(world)).json()["results"]
    foreign = admin.post(f"{invitations_url(world)}{theirs.id}/revoke/")
    cross = world.client("outsider").post(f"{invitations_url(world)}{ours.id}/revoke/")

    assert [i["id"] for i in listed] == [str(ours.id)]
    assert foreign.status_code == 404 and cross.status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).status == "pending"
    assert Invitation.objects.get(pk=ours.pk).status == "pending"


@pytest.mark.django_db
def test_inviting_again_renews_the_open_invitation(world: World):
    client = world.client("admin")
    first = client.post(invitations_url(world), {"invitee": "newbie", "role": "viewer"}).json()
    again = client.post(invitations_url(world), {"invitee": "newbie", "role": "editor"}).json()

    assert again["id"] == first["id"] and again["role"] == "editor"
    assert Invitation.objects.filter(workspace=world.workspace).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"invitee": "newbie", "role": "owner"}, "role"),
        ({"invitee": "newbie", "role": ["admin"]}, "role"),
        ({"invitee": "newbie"}, "role"),
        ({"role": "viewer"}, "invitee"),
        ({"invitee": "", "role": "viewer"}, "invitee"),
        ({"invitee": "   ", "role": "viewer"}, "invitee"),
        ({"invitee": "x" * 255, "role": "viewer"}, "invitee"),
        ({"invitee": "x" * 1_000_000, "role": "viewer"}, "invitee"),
        ({"invitee": "<script>alert(1)</script>", "role": "viewer"}, "invitee"),
        ({"invitee": "a\u0000b", "role": "viewer"}, "invitee"),
        ({"invitee": "two words", "role": "viewer"}, "invitee"),
        ({"invitee": {"$ne": ""}, "role": "viewer"}, "invitee"),
        ({"invitee": "viewer", "role": "admin"}, "invitee"),  # already a member
    ],
)
def test_hostile_invitations_are_400_naming_the_field(world: World, body, field):
    before = db_state()
    rows = AuditEntry.objects.count()

    response = world.client("admin").post(invitations_url(world), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert db_state() == before and AuditEntry.objects.count() == rows


@pytest.mark.django_db
def test_malformed_invitation_ids_are_404(world: World):
    client = world.client("admin")
    for url in (
        "/api/invitations/not-a-uuid/accept/",
        "/api/invitations/00000000-0000-0000-0000-000000000000/decline/",
        f"{invitations_url(world)}nope/revoke/",
    ):
        assert client.post(url).status_code == 404, url


@pytest.mark.django_db
def test_accepting_an_invitation_to_a_deleted_workspace_is_404(world, make_user, token_for):
    invitation = invite(world, "newbie")
    user = make_user("newbie")
    stale = Invitation.objects.get(pk=invitation.pk)
    services.workspace_delete(actor=world.users["admin"], workspace=world.workspace)

    with pytest.raises(ObjectGone):
        services.invitation_accept(actor=user, invitation=stale)
    assert not Membership.objects.filter(user=user).exists()
