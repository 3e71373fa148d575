"""The page's history loader (`static/conversations/loader.js`) under Node: entries shaped as the
history API gives them, cut at every point where the conversation was idle, seed the projection;
the events after the cut applied to it give the entries and the agent path of the whole log."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from conversations.projection import project_entries
from conversations.tests.test_projection_js import EXAMPLES, ROOT, events_of, node  # noqa: F401

RUNNER = ROOT / "scripts" / "loader_node.mjs"
IDLE = {"completed", "awaiting_input", "failed", "cancelled"}
OWN_KEYS = {"message.input", "function.result"}


def rest_entries(events: list[dict], local_of: dict[str, str]) -> list[dict]:
    """What /history/ returns for a log cut here: the entries, shaped as the REST serializer's."""
    out = []
    for position, entry in enumerate(project_entries(events)):
        own = entry["type"] in OWN_KEYS
        data = dict(entry["data"])
        if entry["type"] == "agent.handoff" and data.get("next_agent_id"):
            data["next_agent"] = local_of.get(data["next_agent_id"])  # the local id, REST adds it
        agent = entry["agent_remote_id"]
        out.append({
            "id": entry["key"] if own else str(uuid.uuid4()),
            "position": position,
            "type": entry["type"],
            "remote_id": "" if own else entry["key"],
            "agent": {"id": local_of[agent], "name": "x"} if agent and not own else None,
            "role": entry["role"],
            "text": entry["text"],
            "data": data,
            "created_by": None,
            "files": [],
            "created_at": "2025-01-01T00:00:00Z",
        })  # fmt: skip
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_seeded_entries_and_the_tail_make_the_whole_projection(node, name, tmp_path):  # noqa: F811
    events = events_of(name)
    remotes = {
        event["data"][field]
        for event in events
        for field in ("agent_id", "previous_agent_id", "next_agent_id")
        if event["data"].get(field)
    }
    local_of = {remote: str(uuid.uuid4()) for remote in remotes}
    cuts = [
        e["seq"]
        for e in events
        if e["type"] == "conversation.status" and e["data"].get("status") in IDLE
    ]
    assert len(cuts) >= 1
    for seq in cuts:
        case = {
            "entries": rest_entries([e for e in events if e["seq"] <= seq], local_of),
            "remotes": {remote: local for remote, local in local_of.items()},
            "seq": seq,
            "events": events,
        }
        path = tmp_path / f"case-{seq}.json"
        path.write_text(json.dumps(case))
        done = subprocess.run(
            [node, str(RUNNER), str(path)], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["seeded"] == out["full"] == project_entries(events), f"cut at {seq}"
        assert out["seededPath"] == out["fullPath"], f"cut at {seq}"
