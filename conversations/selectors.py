"""User-scoped reads of conversations, events, entries, pending actions and files."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from conversations.models import Conversation, Entry, Event, GeneratedFile, PendingAction
from workspaces.models import Membership
from workspaces.roles import Role
from workspaces.selectors import check_role, parse_uuid, role_subquery


def _check(obj, min_role: str):
    check_role(obj.user_role if obj is not None else None, min_role)
    return obj


def conversations_for_user(user) -> QuerySet[Conversation]:
    if not (user and user.is_authenticated):
        return Conversation.objects.none()
    return (
        Conversation.objects.annotate(user_role=role_subquery(user, "graph__workspace"))
        .filter(user_role__isnull=False)
        .select_related("graph", "graph__workspace", "entry_agent", "active_agent", "started_by")
    )


def conversation_get_for_user(user, conversation_id: Any, min_role: str = Role.VIEWER):
    conversation = conversations_for_user(user).filter(pk=parse_uuid(conversation_id)).first()
    return _check(conversation, min_role)


def events_after(conversation: Conversation, after: int, limit: int = 1000) -> QuerySet[Event]:
    return Event.objects.filter(conversation=conversation, seq__gt=after).order_by("seq")[:limit]


def entries_of(conversation: Conversation) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(conversation=conversation)
        .select_related("agent", "created_by")
        .prefetch_related("files")
        .order_by("position")
    )


def pending_for_user(user) -> QuerySet[PendingAction]:
    if not (user and user.is_authenticated):
        return PendingAction.objects.none()
    return (
        PendingAction.objects.annotate(
            user_role=role_subquery(user, "conversation__graph__workspace")
        )
        .filter(user_role__isnull=False)
        .select_related(
            "conversation", "conversation__graph", "agent", "target_agent", "resolved_by"
        )
    )


def pending_waiting_count_for_user(user) -> int:
    """Pending actions the user could answer (operator and above): the header's inbox count."""
    return (
        pending_for_user(user)
        .filter(
            status=PendingAction.State.PENDING,
            user_role__in=[Role.OPERATOR, Role.EDITOR, Role.ADMIN],
        )
        .count()
    )


def pending_get_for_user(user, action_id: Any, min_role: str = Role.VIEWER) -> PendingAction:
    action = pending_for_user(user).filter(pk=parse_uuid(action_id)).first()
    return _check(action, min_role)


def files_for_user(user) -> QuerySet[GeneratedFile]:
    if not (user and user.is_authenticated):
        return GeneratedFile.objects.none()
    return (
        GeneratedFile.objects.annotate(
            user_role=role_subquery(user, "conversation__graph__workspace")
        )
        .filter(user_role__isnull=False)
        .select_related("conversation", "agent")
    )


def file_get_for_user(user, file_id: Any) -> GeneratedFile:
    return _check(files_for_user(user).filter(pk=parse_uuid(file_id)).first(), Role.VIEWER)


def user_can_see_workspace_ids(user) -> list[str]:
    return [
        str(w) for w in Membership.objects.filter(user=user).values_list("workspace_id", flat=True)
    ]
