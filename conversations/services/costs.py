"""Usage, cost and budgets: every write. The worker records each turn's usage and asks, before a
turn, whether a budget is spent (then the turn waits, `paused`); raising a budget resumes the
conversations it held. Budget changes and pauses are audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from conversations.costs import ModelPrice, UsageRecord, WorkspaceBudget
from conversations.errors import ConversationError
from conversations.models import Conversation, Status, Turn
from conversations.queue import enqueue_turn
from conversations.services.status import conversation_set_status
from workspaces.selectors import one_or_none

MAX_BUDGET = Decimal("1000000")


def _tokens(usage: dict[str, Any], field: str) -> int:
    try:
        return max(0, int(usage.get(field) or 0))
    except (TypeError, ValueError):
        return 0


def turn_usage_record(*, conversation: Conversation, turn: Turn, usage: dict[str, Any]) -> None:
    """Keep one turn's usage, priced by the table as it is now (once per turn)."""
    prompt, completion = _tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens")
    total = _tokens(usage, "total_tokens") or prompt + completion
    agent = conversation.active_agent or conversation.entry_agent
    model = agent.model if agent else ""
    price = one_or_none(ModelPrice.objects.filter(model=model))
    cost = price.cost(prompt, completion) if price else Decimal(0)
    try:
        # The turn's one record (unique): a turn recorded already (redelivered) is refused by
        # the database, which costs less than asking first on every turn.
        with transaction.atomic():
            UsageRecord.objects.create(
                turn=turn,
                conversation=conversation,
                workspace_id=conversation.graph.workspace_id,
                graph_id=conversation.graph_id,
                agent=agent,
                agent_name=agent.name if agent else "",
                model=model,
                prompt_tokens=prompt,
                completion_tokens=completion,
                total_tokens=total,
                cost_usd=cost,
                priced=price is not None,
                day=timezone.now().date(),
            )
            if cost:
                Conversation.objects.filter(pk=conversation.pk).update(
                    cost_usd=F("cost_usd") + cost
                )
    except IntegrityError:
        if not UsageRecord.objects.filter(turn=turn).exists():
            raise  # some other constraint: not a repeat


def month_start(today: dt.date | None = None) -> dt.date:
    return (today or timezone.now().date()).replace(day=1)


def workspace_month_cost(workspace_id: Any) -> Decimal:
    spent = UsageRecord.objects.filter(workspace_id=workspace_id, day__gte=month_start()).aggregate(
        s=Sum("cost_usd")
    )["s"]
    return spent or Decimal(0)


def budget_reached(conversation: Conversation) -> str:
    """Why the conversation may not run another turn now, or "" when it may."""
    row = one_or_none(
        Conversation.objects.filter(pk=conversation.pk).values("cost_usd", "budget_usd")
    )
    if row and row["budget_usd"] is not None and row["cost_usd"] >= row["budget_usd"]:
        return (
            f"Paused: this conversation reached its budget (${row['budget_usd']:.4f}; it has "
            f"cost ${row['cost_usd']:.4f}). An admin can raise the budget to resume it."
        )
    budget = one_or_none(
        WorkspaceBudget.objects.filter(workspace_id=conversation.graph.workspace_id)
    )
    if budget is not None:
        spent = workspace_month_cost(conversation.graph.workspace_id)
        if spent >= budget.monthly_usd:
            return (
                f"Paused: the workspace reached its monthly budget (${budget.monthly_usd:.4f}; "
                f"spent ${spent:.4f} this month). An admin can raise it to resume."
            )
    return ""


def turn_pause_for_budget(*, conversation: Conversation, turn: Turn, reason: str) -> bool:
    """Hold a claimed turn back: it waits (`paused`) until a budget is raised."""
    with transaction.atomic():
        held = Turn.objects.filter(pk=turn.pk, state=Turn.State.RUNNING).update(
            state=Turn.State.PAUSED, heartbeat_at=None
        )
        if not held:
            return False
        conversation_set_status(
            conversation=conversation,
            expected=(Status.QUEUED, Status.RUNNING),
            status=Status.PAUSED,
            error=reason,
        )
        audit_record(
            actor=None,
            action=Action.BUDGET_REACHED,
            obj=conversation,
            workspace=conversation.graph.workspace,
            after={"turn": turn.number, "reason": reason},
        )
    return True


def _resume_paused(conversations) -> list[Conversation]:
    resumed = []
    for conversation in conversations:
        if budget_reached(conversation):
            continue
        with transaction.atomic():
            turn = Turn.objects.filter(conversation=conversation, state=Turn.State.PAUSED).first()
            if turn is None or not conversation_set_status(
                conversation=conversation, expected=(Status.PAUSED,), status=Status.QUEUED
            ):
                continue
            Turn.objects.filter(pk=turn.pk, state=Turn.State.PAUSED).update(state=Turn.State.QUEUED)
            enqueue_turn(turn.pk)
        resumed.append(conversation)
    return resumed


def clean_budget(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ConversationError("Give an amount in US dollars, e.g. 25.00.", field=field) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_BUDGET:
        raise ConversationError(f"Give an amount between 0 and {MAX_BUDGET}.", field=field)
    return amount.quantize(Decimal("0.000001"))


def workspace_budget_set(*, actor, workspace, monthly_usd: Any) -> list[Conversation]:
    """Set (or, with None, remove) the workspace's monthly budget; resumes what it allows."""
    amount = clean_budget(monthly_usd, "monthly_usd")
    with transaction.atomic():
        current = WorkspaceBudget.objects.select_for_update().filter(workspace=workspace).first()
        before = {"monthly_usd": str(current.monthly_usd) if current else None}
        if amount is None:
            WorkspaceBudget.objects.filter(workspace=workspace).delete()
        else:
            WorkspaceBudget.objects.update_or_create(
                workspace=workspace, defaults={"monthly_usd": amount, "updated_by": actor}
            )
        audit_record(
            actor=actor,
            action=Action.BUDGET_CHANGE,
            obj=workspace,
            workspace=workspace,
            before=before,
            after={"monthly_usd": str(amount) if amount is not None else None},
        )
    paused = Conversation.objects.filter(graph__workspace=workspace, status=Status.PAUSED)
    return _resume_paused(paused.select_related("graph", "graph__workspace"))


def conversation_budget_set(*, actor, conversation: Conversation, budget_usd: Any) -> bool:
    """Set (or remove) one conversation's budget; returns whether it resumed."""
    amount = clean_budget(budget_usd, "budget_usd")
    with transaction.atomic():
        before = {"budget_usd": str(conversation.budget_usd) if conversation.budget_usd else None}
        Conversation.objects.filter(pk=conversation.pk).update(budget_usd=amount)
        conversation.budget_usd = amount
        audit_record(
            actor=actor,
            action=Action.BUDGET_CHANGE,
            obj=conversation,
            workspace=conversation.graph.workspace,
            before=before,
            after={"budget_usd": str(amount) if amount is not None else None},
        )
    conversation.refresh_from_db(fields=["status"])
    if conversation.status != Status.PAUSED:
        return False
    return bool(_resume_paused([conversation]))
