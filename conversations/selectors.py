"""User-scoped reads of conversations, events, entries, pending actions and files."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet

from conversations.models import Conversation, Entry, Event, GeneratedFile, PendingAction, Turn
from conversations.queue import ORCHESTRATION_RUN_KEY
from workspaces.models import Membership
from workspaces.roles import Role
from workspaces.selectors import (
    check_role,
    one_for_user,
    parse_uuid,
    role_subquery,
)


def _check(obj, min_role: str):
    check_role(obj.user_role if obj is not None else None, min_role)
    return obj


CONVERSATION_RELATED = ("graph", "graph__workspace", "entry_agent", "active_agent", "started_by")


def conversations_for_user(user) -> QuerySet[Conversation]:
    if not (user and user.is_authenticated):
        return Conversation.objects.none()
    return (
        Conversation.objects.annotate(user_role=role_subquery(user, "graph__workspace"))
        .filter(user_role__isnull=False)
        .select_related(*CONVERSATION_RELATED)
    )


def conversation_get_for_user(user, conversation_id: Any, min_role: str = Role.VIEWER):
    """One conversation, with `user_role`: the row, then the user's role in its workspace (every
    socket and page asks; the role subquery of `conversations_for_user` costs more to build)."""
    queryset = Conversation.objects.select_related(*CONVERSATION_RELATED).filter(
        pk=parse_uuid(conversation_id)
    )
    return one_for_user(user, queryset, lambda c: c.graph.workspace_id, min_role)


def events_after(conversation: Conversation, after: int, limit: int = 1000) -> QuerySet[Event]:
    return Event.objects.filter(conversation=conversation, seq__gt=after).order_by("seq")[:limit]


def last_seqs(conversation_ids: list[Any]) -> dict[str, int]:
    """The log's last seq of each conversation, for sockets that already checked access."""
    rows = Conversation.objects.filter(pk__in=conversation_ids).values_list("pk", "last_seq")
    return {str(pk): seq for pk, seq in rows}


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


# Events that draw something of their own on the page (a note, a pending card, a file), beside
# the entries: what a page built from entries still needs of the log.
NOTE_TYPES = ("conversation.response.error", "pending.created", "pending.resolved", "file.ready")
NOTE_STATUSES = ("failed", "cancelled")
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


def history_snapshot(conversation: Conversation) -> dict[str, Any] | None:
    """Where a page may stop reading entries and start reading the log: the last seq and the last
    entry position, read together while no turn runs (every entry is then final), and the token
    usage up to there. None while a turn is queued or running: its entries are still being
    written."""
    with transaction.atomic():
        current = Conversation.objects.filter(pk=conversation.pk).values(
            "status", "last_seq", *USAGE_FIELDS
        )[0]
        busy = Turn.objects.filter(
            conversation=conversation, state__in=[Turn.State.QUEUED, Turn.State.RUNNING]
        ).exists()
        if busy or current["status"] in ("queued", "running"):
            return None
        entries = Entry.objects.filter(conversation=conversation)
        last = entries.aggregate(last=Max("position"), count=Count("id"))
    position = -1 if last["last"] is None else last["last"]  # positions start at 0
    # The token totals of the same row: every turn is over, so they count every logged response
    # (a page built from entries has no response.done events to add up).
    usage = {field: current[field] for field in USAGE_FIELDS}
    return {
        "seq": current["last_seq"],
        "position": position,
        "count": last["count"],
        "usage": usage,
    }


def entries_between(
    conversation: Conversation, after_position: int, upto_position: int, limit: int
) -> list[Entry]:
    return list(
        entries_of(conversation).filter(position__gt=after_position, position__lte=upto_position)[
            :limit
        ]
    )


def history_notes(conversation: Conversation, upto_seq: int) -> QuerySet[Event]:
    """The events up to `upto_seq` that draw beside the entries, and each failed turn's events
    from its start: the worker deleted that turn's outputs, but the page shows what was seen of
    them, marked (the projection drops them again at the failure)."""
    events = Event.objects.filter(conversation=conversation, seq__lte=upto_seq)
    wanted = Q(type__in=NOTE_TYPES) | Q(type="conversation.status", data__status__in=NOTE_STATUSES)
    turn_starts = Q(type="conversation.response.started") | Q(
        type="conversation.status", data__status="running"
    )
    # The latest status too: the page was rendered before this snapshot, and a run that ended
    # in between must not stay "Running" on it.
    latest = events.filter(type="conversation.status").aggregate(seq=Max("seq"))["seq"]
    if latest is not None:
        wanted |= Q(seq=latest)
    failed = events.filter(type="conversation.status", data__status="failed")
    for seq in failed.values_list("seq", flat=True):
        start = events.filter(turn_starts, seq__lt=seq).aggregate(start=Max("seq"))["start"]
        if start is not None:
            wanted |= Q(seq__gte=start, seq__lte=seq)
    return events.filter(wanted).order_by("seq")


def branch_tree(conversation: Conversation, max_nodes: int = 500) -> dict[str, Any]:
    """The tree of branches `conversation` belongs to, from its root (the caller has checked
    access: a branch is always in its parent's graph, so its whole tree is too)."""
    root = conversation
    seen = {root.pk}
    while root.parent_id is not None and root.parent_id not in seen:
        parent = Conversation.objects.filter(pk=root.parent_id, graph_id=root.graph_id).first()
        if parent is None:
            break
        seen.add(parent.pk)
        root = parent
    nodes: dict[Any, dict[str, Any]] = {}
    level = [root]
    while level and len(nodes) < max_nodes:
        for item in level:
            nodes[item.pk] = {
                "id": str(item.pk),
                "title": item.title,
                "status": item.status,
                "created_at": item.created_at,
                "parent": str(item.parent_id) if item.parent_id else None,
                "branched_from": _branch_point(item),
                "agent_versions": item.branch_agent_versions or None,
                "branches": [],
            }
            if item.parent_id in nodes and item.pk != root.pk:
                nodes[item.parent_id]["branches"].append(nodes[item.pk])
        level = list(
            Conversation.objects.filter(parent__in=[c.pk for c in level], graph_id=root.graph_id)
            .exclude(pk__in=list(nodes))
            .select_related("branched_from")
            .order_by("created_at")[: max_nodes - len(nodes)]
        )
    return {"current": str(conversation.pk), "root": nodes[root.pk]}


def _branch_point(conversation: Conversation) -> dict[str, Any] | None:
    entry = conversation.branched_from if conversation.branched_from_id else None
    if entry is None:
        return None
    return {"id": str(entry.pk), "position": entry.position, "type": entry.type,
            "text": entry.text[:120]}  # fmt: skip


def orchestration_step_of(conversation: Conversation) -> dict[str, str] | None:
    """The orchestration run and step a conversation is, when it is one (its metadata says so):
    the inbox names them next to a pending call."""
    metadata = conversation.metadata or {}
    run = metadata.get(ORCHESTRATION_RUN_KEY)
    if not run:
        return None
    return {"run": str(run), "step": str(metadata.get("orchestration_step", ""))}
