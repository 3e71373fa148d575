"""Two conversations of one graph side by side: their entries as steps (inputs, agent outputs,
handoffs, tool and function calls with arguments, results), aligned step by step, each pair
marked same / changed / only on one side; tokens, cost and duration per side; and the agent
versions that differ, with the fields that changed between them."""

from __future__ import annotations

import difflib
import json
from typing import Any

from agents.models import AgentVersion
from conversations.models import Conversation, Entry


def _arguments(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def step_of(entry: Entry) -> dict[str, Any]:
    agent = entry.agent.name if entry.agent else None
    data = entry.data or {}
    step: dict[str, Any] = {"entry": str(entry.pk), "kind": entry.type, "agent": agent}
    if entry.type == Entry.Type.MESSAGE_INPUT:
        step.update(agent=None, label="user", text=entry.text)
    elif entry.type == Entry.Type.MESSAGE_OUTPUT:
        step.update(label=agent or "agent", text=entry.text)
    elif entry.type == Entry.Type.AGENT_HANDOFF:
        following = data.get("next_agent_name")
        step.update(label=f"{data.get('previous_agent_name') or agent} → {following}", text="")
    elif entry.type == Entry.Type.FUNCTION_CALL:
        step.update(label=data.get("name"), arguments=_arguments(data.get("arguments")))
    elif entry.type == Entry.Type.FUNCTION_RESULT:
        step.update(label=data.get("name"), text=str(data.get("result") or ""))
    elif entry.type == Entry.Type.TOOL_EXECUTION:
        step.update(label=data.get("name"), arguments=_arguments(data.get("arguments")))
    return step


def _signature(step: dict[str, Any]) -> tuple:
    """What makes two steps 'the same step' for the alignment (their content may differ)."""
    return (
        step["kind"],
        step["agent"],
        step.get("label") if step["kind"] != "message.output" else "",
    )


def _content(step: dict[str, Any]) -> tuple:
    return (step.get("label"), step.get("text"), json.dumps(step.get("arguments"), sort_keys=True))


def align(left: list[dict], right: list[dict]) -> list[dict[str, Any]]:
    matcher = difflib.SequenceMatcher(
        a=[_signature(s) for s in left], b=[_signature(s) for s in right], autojunk=False
    )
    rows: list[dict[str, Any]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2), strict=False))
        if op == "equal" or op == "replace":
            for i, j in pairs:
                same = op == "equal" and _content(left[i]) == _content(right[j])
                rows.append({"a": left[i], "b": right[j], "diff": "same" if same else "changed"})
        done_a, done_b = i1 + len(pairs), j1 + len(pairs)
        rows += [{"a": left[i], "b": None, "diff": "only_a"} for i in range(done_a, i2)]
        rows += [{"a": None, "b": right[j], "diff": "only_b"} for j in range(done_b, j2)]
    return rows


def _side(conversation: Conversation) -> dict[str, Any]:
    duration = None
    if conversation.finished_at:
        duration = round((conversation.finished_at - conversation.created_at).total_seconds(), 3)
    return {
        "id": str(conversation.pk),
        "title": conversation.title,
        "status": conversation.status,
        "parent": str(conversation.parent_id) if conversation.parent_id else None,
        "tokens": {
            "prompt": conversation.prompt_tokens,
            "completion": conversation.completion_tokens,
            "total": conversation.total_tokens,
        },
        "cost_usd": f"{conversation.cost_usd:.8f}",
        "duration_s": duration,
        "agent_versions": conversation.agent_versions or {},
    }


def version_differences(a: dict, b: dict) -> list[dict[str, Any]]:
    """Agents whose recorded versions differ, with the fields that changed between them."""
    out = []
    for agent_id in sorted(set(a) | set(b)):
        va, vb = (a.get(agent_id) or {}).get("version"), (b.get(agent_id) or {}).get("version")
        if va == vb:
            continue
        snapshots = dict(
            AgentVersion.objects.filter(agent_id=agent_id, number__in=[va, vb]).values_list(
                "number", "snapshot"
            )
        )
        sa, sb = snapshots.get(va) or {}, snapshots.get(vb) or {}
        fields = [
            {"field": name, "a": sa.get(name), "b": sb.get(name)}
            for name in sorted(set(sa) | set(sb))
            if sa.get(name) != sb.get(name)
        ]
        name = (a.get(agent_id) or b.get(agent_id) or {}).get("name")
        out.append({"agent": agent_id, "name": name, "a": va, "b": vb, "fields": fields})
    return out


def compare(a: Conversation, b: Conversation) -> dict[str, Any]:
    """The caller has checked both are the user's and of the same graph."""

    def steps(conversation):
        entries = conversation.entries.select_related("agent").order_by("position")
        return [step_of(e) for e in entries]

    rows = align(steps(a), steps(b))
    for number, row in enumerate(rows, start=1):
        row["step"] = number
    return {
        "graph": str(a.graph_id),
        "a": _side(a),
        "b": _side(b),
        "steps": rows,
        "differences": sum(1 for r in rows if r["diff"] != "same"),
        "agent_versions": version_differences(a.agent_versions or {}, b.agent_versions or {}),
    }
