"""Removing (or re-roling) a member while another request deletes the whole workspace: each
request answers 204/200 or 404, never 500, whichever wins.

The threaded test runs the two requests through the real view stack on separate database
connections (one per thread), so their transactions really interleave; it repeats the race so
both orders occur. The other tests pin down each order deterministically at the service level."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.http import Http404
from rest_framework.test import APIClient

from audit.models import Action, AuditEntry
from workspaces import selectors, services
from workspaces.models import Membership, Workspace
from workspaces.roles import Role

TRIALS = 30


def _request(token: str, method: str, url: str, body: dict | None, out: list, barrier) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    try:
        barrier.wait()
        response = getattr(client, method)(url, body, format="json")
        out.append(response.status_code)
    except Exception as exc:  # the test client re-raises what would have been a 500
        out.append(f"500 {type(exc).__name__}: {exc}")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("member_call", ["delete", "patch"])
def test_member_change_racing_a_workspace_delete_is_never_a_500(make_user, token_for, member_call):
    admin, viewer = make_user("admin"), make_user("viewer")
    token = token_for(admin)
    outcomes: list[tuple] = []
    for trial in range(TRIALS):
        workspace = services.workspace_create(actor=admin, name=f"Doomed {trial}")
        membership = services.membership_add(
            actor=admin, workspace=workspace, user=viewer, role=Role.VIEWER
        )
        base = f"/api/workspaces/{workspace.pk}/"
        member_body = {"role": "editor"} if member_call == "patch" else None
        results: dict[str, list] = {"workspace": [], "member": []}
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=_request,
                args=(token, "delete", base, None, results["workspace"], barrier),
            ),
            threading.Thread(
                target=_request,
                args=(
                    token,
                    member_call,
                    f"{base}members/{membership.pk}/",
                    member_body,
                    results["member"],
                    barrier,
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append((results["workspace"][0], results["member"][0]))

    member_ok = 204 if member_call == "delete" else 200
    bad = [o for o in outcomes if o[0] not in (204, 404) or o[1] not in (member_ok, 404)]
    assert bad == [], bad
    # Every workspace went, whoever won each race.
    assert not Workspace.objects.filter(name__startswith="Doomed").exists()
    assert not Membership.objects.filter(user=viewer).exists()


@pytest.mark.django_db
def test_removing_a_member_of_a_workspace_deleted_meanwhile_is_404(make_user):
    admin, viewer = make_user("admin"), make_user("viewer")
    workspace = services.workspace_create(actor=admin, name="Doomed")
    services.membership_add(actor=admin, workspace=workspace, user=viewer, role=Role.VIEWER)
    # What the view read before the other request's delete committed.
    stale = selectors.memberships_for_workspace(workspace).get(user=viewer)
    services.workspace_delete(actor=admin, workspace=workspace)
    rows = AuditEntry.objects.count()

    with pytest.raises(Http404):
        services.membership_remove(actor=admin, membership=stale)
    with pytest.raises(Http404):
        services.membership_change(actor=admin, membership=stale, role=Role.EDITOR)
    assert AuditEntry.objects.count() == rows


@pytest.mark.django_db
def test_deleting_a_workspace_whose_member_was_removed_meanwhile_still_works(make_user):
    admin, viewer = make_user("admin"), make_user("viewer")
    workspace = services.workspace_create(actor=admin, name="Doomed")
    services.membership_add(actor=admin, workspace=workspace, user=viewer, role=Role.VIEWER)
    stale_workspace = selectors.workspace_get_for_user(admin, workspace.pk, Role.ADMIN)
    second_copy = selectors.workspace_get_for_user(admin, workspace.pk, Role.ADMIN)
    services.membership_remove(
        actor=admin, membership=Membership.objects.get(workspace=workspace, user=viewer)
    )

    services.workspace_delete(actor=admin, workspace=stale_workspace)

    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    row = AuditEntry.objects.filter(action=Action.WORKSPACE_DELETE).get()
    assert row.before["members"] == ["admin"]
    # A second delete of the same workspace (a double click, a retry) is a 404, not a 500.
    with pytest.raises(Http404):
        services.workspace_delete(actor=admin, workspace=second_copy)
