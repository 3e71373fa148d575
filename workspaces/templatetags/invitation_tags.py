"""The header's "Invitations" link appears only for someone with open invitations."""

from __future__ import annotations

from django import template

from workspaces.selectors import pending_invitations_for_invitee

register = template.Library()


@register.simple_tag
def pending_invitation_count(user) -> int:
    return pending_invitations_for_invitee(user).count()
