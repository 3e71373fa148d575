"""What follows a turn that ended in function calls or, in client mode, on a handoff: the
registered functions are run here (outside any transaction), the rest becomes pending actions."""

from __future__ import annotations

import json
from typing import Any

from conversations import tool_policy
from conversations.engine.recorder import TurnRecorder
from conversations.models import Entry, Turn
from conversations.services.approvals import approval_record_result, approvals_to_run
from conversations.services.pending import (
    FunctionCall,
    pending_record_function_calls,
    pending_record_handoff,
)
from conversations.worker_tools import run_worker_tool, worker_tool_kind


def parse_arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"_value": value}


def handle_function_calls(recorder: TurnRecorder, calls: list[Entry]) -> str | None:
    """Returns the id of the follow-up turn when every call was answered automatically."""
    specs = []
    for call in calls:
        name = call.data.get("name") or ""
        arguments = parse_arguments(call.data.get("arguments"))
        kind = worker_tool_kind(call.agent, name)
        result, approval = None, False
        if kind:
            # The tool's approval policy: run it, refuse it, or ask a person in the inbox.
            policy = getattr(call.agent, "tool_policy", None)
            decision = tool_policy.decide(policy, name, arguments)
            if decision == "allow":
                result = run_worker_tool(call.agent, name, arguments)
            elif decision == "deny":
                result = tool_policy.refusal(name, "the tool policy denies it")
            else:
                approval = True
        specs.append(
            FunctionCall(
                tool_call_id=call.data.get("tool_call_id") or "",
                name=name,
                arguments=arguments,
                agent=call.agent,
                automatic_result=result,
                approval=approval,
            )
        )
    next_turn = pending_record_function_calls(
        conversation=recorder.conversation,
        turn=recorder.turn,
        calls=specs,
        next_position=recorder.next_position,
    )
    return str(next_turn.pk) if next_turn is not None else None


def run_approved_calls(turn: Turn) -> None:
    """Before a results turn streams: run the tools people approved from the inbox, here in
    the worker (outside any transaction, within each tool's time limit). The turn's claim makes
    a redelivered task skip this; after a worker death recovery requeues the turn, and only the
    calls whose results were not recorded yet run again."""
    for action in approvals_to_run(turn):
        try:
            result = run_worker_tool(action.agent, action.name, dict(action.arguments or {}))
        except Exception as exc:  # a crashing tool is a result the model reads, not a stuck call
            result = tool_policy.refusal(action.name, f"it failed: {type(exc).__name__}: {exc}")
        approval_record_result(turn=turn, action=action, result=result)


def pause_for_handoff(recorder: TurnRecorder, handoff: Entry) -> None:
    pending_record_handoff(
        conversation=recorder.conversation,
        turn=recorder.turn,
        handoff=handoff.data,
        agent=handoff.agent,
        target=recorder.agents_by_remote.get(handoff.data.get("next_agent_id") or ""),
    )
