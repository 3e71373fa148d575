"""The iteration loop's pieces of the conversation page: the branch tree and the branch form
(`{% branch_panel conversation can_operate %}`), kept out of the live page's own template."""

from __future__ import annotations

from typing import Any

from django import template

from conversations import selectors
from conversations.models import Status
from workspaces.roles import Role, role_at_least

register = template.Library()


def _find(node: dict[str, Any], target: str, parent: dict[str, Any] | None = None):
    if node["id"] == target:
        return node, parent
    for child in node["branches"]:
        found = _find(child, target, node)
        if found[0] is not None:
            return found
    return None, None


@register.inclusion_tag("conversations/_branches.html")
def branch_panel(conversation, can_operate: bool) -> dict[str, Any]:
    tree = selectors.branch_tree(conversation)
    node, parent = _find(tree["root"], tree["current"])
    siblings = parent["branches"] if parent else []
    index = next((i for i, s in enumerate(siblings) if s["id"] == tree["current"]), 0)
    return {
        "conversation": conversation,
        "can_operate": can_operate,
        "root": tree["root"],
        "current": tree["current"],
        "has_tree": bool(tree["root"]["branches"]),
        "parent": parent,
        "previous_sibling": siblings[index - 1] if index > 0 else None,
        "next_sibling": siblings[index + 1] if index + 1 < len(siblings) else None,
        "sibling_count": len(siblings),
        "sibling_number": index + 1,
        "branched_from": node["branched_from"] if node else None,
        "can_admin": role_at_least(getattr(conversation, "user_role", None), Role.ADMIN),
        "can_edit": role_at_least(getattr(conversation, "user_role", None), Role.EDITOR),
        "paused": conversation.status == Status.PAUSED,
    }
