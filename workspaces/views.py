"""The invitee's page of open invitations, where they accept or decline them."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from workspaces import selectors, services
from workspaces.exceptions import StateConflict


@require_GET
def invitation_list(request):
    invitations = selectors.pending_invitations_for_invitee(request.user).order_by("-created_at")
    return render(request, "workspaces/invitations.html", {"invitations": invitations})


@require_POST
def invitation_respond(request, invitation_id):
    """Accept or decline, for the invitee only (anyone else: 404, as in the API)."""
    invitation = selectors.invitation_get_for_invitee(request.user, invitation_id)
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, "Answer: choose accept or decline.")
        return redirect("invitation-list")
    name = invitation.workspace.name
    try:
        if answer == "accept":
            services.invitation_accept(actor=request.user, invitation=invitation)
        else:
            services.invitation_decline(actor=request.user, invitation=invitation)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("invitation-list")
    if answer == "accept":
        messages.success(request, f"You joined {name}.")
        return redirect("graph-list")
    messages.success(request, f"You declined the invitation to {name}.")
    return redirect("invitation-list")
