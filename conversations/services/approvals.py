"""Answering an approval (a worker-run tool whose policy says `ask`): approving runs the tool
now, outside any transaction and within its time limit; rejecting gives the model a refusal to
read. The caller (`pending_resolve`) then records the result, audits who decided, and resumes
the conversation as for any answered call."""

from __future__ import annotations

from typing import Any

from conversations import tool_policy
from conversations.errors import ConversationConflict, ConversationError
from conversations.models import PendingAction
from conversations.worker_tools import run_worker_tool

APPROVING = "approving"  # claimed by an approver whose tool is running


def approval_decide(*, actor, action: PendingAction, decision: Any) -> dict[str, Any]:
    if decision not in ("approve", "reject"):
        raise ConversationError("Decide approve or reject.", field="decision")
    # Claim it first: two people approving at once must not run the tool twice.
    claimed = PendingAction.objects.filter(
        pk=action.pk, status=PendingAction.State.PENDING, decision=""
    ).update(decision=APPROVING if decision == "approve" else "reject")
    if not claimed:
        raise ConversationConflict("This action is no longer pending; someone answered it.")
    who = getattr(actor, "username", None) or "someone"
    if decision == "reject":
        return {"decision": "reject",
                "result": tool_policy.refusal(action.name, f"{who} rejected it")}  # fmt: skip
    try:
        result = run_worker_tool(action.agent, action.name, dict(action.arguments or {}))
    except Exception as exc:  # a crashing tool is a result the model reads, not a stuck call
        result = tool_policy.refusal(action.name, f"it failed: {type(exc).__name__}: {exc}")
    return {"decision": "approve", "result": result}
