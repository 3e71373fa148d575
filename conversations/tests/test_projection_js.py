"""The browser's projection (`static/conversations/projection.js`) under Node, against the Python
one (`conversations.projection`) on the same events, and against the catalogue's JSON Schema.

Node runs `scripts/projection_node.mjs`; without Node these tests skip, unless REQUIRE_BROWSER is
set (CI), where they fail as the browser tests do without Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conversations.projection import _HANDLERS, project_entries

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = ["handoffs_example_a", "handoffs_example_b"]
RUNNER = ROOT / "scripts" / "projection_node.mjs"
SCHEMA = ROOT / "static" / "conversations" / "events.schema.json"
PROJECTION_JS = ROOT / "static" / "conversations" / "projection.js"


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("node is missing and REQUIRE_BROWSER is set")
        pytest.skip("node is not installed (apt-get install -y nodejs)")
    return found


def run_node(node: str, *args: str) -> dict:
    done = subprocess.run(
        [node, str(RUNNER), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def events_of(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / f"{name}.jsonl").read_text().splitlines()]


def project_in_node(node: str, events: list[dict], tmp_path: Path) -> dict:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return run_node(node, "project", str(path))


# -- the same entries as the Python projection --------------------------------------------------
@pytest.mark.parametrize("name", EXAMPLES)
def test_the_js_projection_of_each_fixture_is_the_python_one(node, name):
    events = events_of(name)
    out = run_node(node, "project", str(FIXTURES / f"{name}.jsonl"))

    expected = project_entries(events)
    assert out["entries"] == expected
    # One event at a time, with a reconnect's replay overlapping: still the same entries.
    assert out["incremental"] == expected


def test_the_agent_path_and_the_handoffs_taken(node):
    out = run_node(node, "project", str(FIXTURES / "handoffs_example_b.jsonl"))

    assert [a["name"] for a in out["agentPath"]] == [
        "finance-agent",
        "ecb-interest-rate-agent",
        "graph-drawing-agent",
    ]
    assert [(h["from"]["name"], h["to"]["name"]) for h in out["handoffs"]] == [
        ("finance-agent", "ecb-interest-rate-agent"),
        ("ecb-interest-rate-agent", "graph-drawing-agent"),
    ]
    assert all(h["from"]["id"].startswith("ag_") for h in out["handoffs"])


def ev(seq: int, event_type: str, **data) -> dict:
    return {"seq": seq, "type": event_type, "data": data}


def started(seq: int) -> dict:
    return ev(
        seq,
        "conversation.response.started",
        type="conversation.response.started",
        conversation_id="conv_1",
    )


EDGE_CASES = {
    "a failed turn drops its outputs, not the earlier turn's": [
        ev(1, "message.input", entry="in-1", role="user", content="hi", user="ada"),
        started(2),
        ev(3, "message.output.delta", id="msg_1", content="Hello", agent_id="ag_a"),
        ev(
            4,
            "conversation.response.done",
            usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        ),
        ev(5, "conversation.status", status="completed"),
        ev(6, "message.input", entry="in-2", role="user", content="again", user="ada"),
        ev(7, "conversation.status", status="running"),
        started(8),
        ev(9, "agent.handoff.started", id="h_1", previous_agent_id="ag_a", previous_agent_name="a"),
        ev(10, "agent.handoff.done", id="h_1", next_agent_id="ag_b", next_agent_name="b"),
        ev(11, "tool.execution.started", id="t_1", name="code_interpreter", arguments=""),
        ev(12, "function.call.delta", id="fc_1", name="f", tool_call_id="call_1", arguments="{}"),
        ev(13, "message.output.delta", id="msg_2", content="half"),
        ev(14, "conversation.status", status="failed", error="boom"),
        started(15),
        ev(16, "message.output.delta", id="msg_3", content="whole", agent_id="ag_a"),
    ],
    "a turn that fails before its response starts drops nothing earlier": [
        ev(1, "message.input", entry="in-1", role="user", content="hi", user="ada"),
        ev(2, "conversation.status", status="running"),
        started(3),
        ev(4, "message.output.delta", id="msg_1", content="Hello", agent_id="ag_a"),
        ev(5, "conversation.status", status="completed"),
        ev(6, "message.input", entry="in-2", role="user", content="again", user="ada"),
        ev(7, "conversation.status", status="running"),
        ev(8, "conversation.status", status="failed", error="server error"),
    ],
    "chunk objects: text joins, None fields drop, tool_file and references stay": [
        started(1),
        ev(2, "message.output.delta", id="m", content="a", agent_id="ag_a"),
        ev(3, "message.output.delta", id="m", content={"type": "text", "text": "b"}),
        ev(4, "message.output.delta", id="m", content="c"),
        ev(
            5,
            "message.output.delta",
            id="m",
            content={"type": "tool_reference", "tool": "web", "title": "T", "url": None},
        ),
        ev(
            6,
            "message.output.delta",
            id="m",
            content={
                "type": "tool_file",
                "tool": "code",
                "file_id": "f1",
                "file_name": "plot",
                "file_type": "png",
            },
        ),
        ev(7, "message.output.delta", id="m", content="d"),
        ev(8, "message.output.delta", id="m", content=None),
        ev(9, "message.output.delta", id="m", content=["not", "a", "chunk"]),
    ],
    "tool executions: deltas join, done adds info, started-less done": [
        ev(
            1,
            "tool.execution.started",
            id="t",
            name="code_interpreter",
            arguments='{"co',
            agent_id="ag_x",
        ),
        ev(2, "tool.execution.delta", id="t", name="code_interpreter", arguments='de": 1}'),
        ev(3, "tool.execution.done", id="t", name="code_interpreter", info={"code_output": "1"}),
        ev(4, "tool.execution.done", id="t2", name="web_search"),
        ev(5, "tool.execution.delta", id="t3", arguments="x"),
    ],
    "function results take their call's agent; automatic ones say so": [
        ev(1, "agent.handoff.started", id="h", previous_agent_id="ag_a", previous_agent_name="a"),
        ev(2, "agent.handoff.done", id="h", next_agent_id="ag_b", next_agent_name="b"),
        ev(
            3,
            "function.call.delta",
            id="fc",
            name="get_rate",
            tool_call_id="call_9",
            arguments='{"x"',
        ),
        ev(4, "function.call.delta", id="fc", name="", tool_call_id="", arguments=": 1}"),
        ev(
            5,
            "function.result",
            entry="r-1",
            tool_call_id="call_9",
            name="get_rate",
            result="2.5",
            user="ada",
        ),
        ev(
            6,
            "function.result",
            entry="r-2",
            tool_call_id="call_unknown",
            name="now",
            result="noon",
            user=None,
            automatic=True,
        ),
        ev(7, "pending.created", id="p", kind="function_call"),
        ev(8, "file.ready", id="f", name="x.png"),
        ev(9, "conversation.response.error", message="bad", code=500),
        ev(10, "some.future.type", id="zzz"),
    ],
    "a branch's kept history, then its own turn, which fails and keeps the history": [
        ev(
            1,
            "conversation.branched",
            parent="p-1",
            from_entry="e-3",
            agent_versions="original",
            entries=[
                {
                    "key": "k-1",
                    "type": "message.input",
                    "agent_remote_id": None,
                    "agent_name": None,
                    "role": "user",
                    "text": "hi",
                    "data": {"content": "hi"},
                },
                {
                    "key": "k-2",
                    "type": "agent.handoff",
                    "agent_remote_id": "ag_a",
                    "agent_name": "a",
                    "role": "",
                    "text": "",
                    "data": {
                        "previous_agent_id": "ag_a",
                        "previous_agent_name": "a",
                        "next_agent_id": "ag_b",
                        "next_agent_name": "b",
                    },
                },
            ],
        ),
        ev(2, "conversation.status", status="running"),
        ev(3, "message.output.delta", id="m", content="x"),
        ev(4, "conversation.status", status="failed", error="e"),
        ev(5, "message.output.delta", id="m2", content="y"),
    ],
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_the_js_projection_of_hand_made_events_is_the_python_one(node, case, tmp_path):
    events = EDGE_CASES[case]
    out = project_in_node(node, events, tmp_path)

    expected = project_entries(events)
    assert expected, "the case projects to something"
    assert out["entries"] == expected
    assert out["incremental"] == expected


def test_a_failed_turn_keeps_the_earlier_turns_entries(node, tmp_path):
    events = EDGE_CASES["a failed turn drops its outputs, not the earlier turn's"]
    out = project_in_node(node, events, tmp_path)

    assert [e["key"] for e in out["entries"]] == ["in-1", "msg_1", "in-2", "msg_3"]

    events = EDGE_CASES["a turn that fails before its response starts drops nothing earlier"]
    out = project_in_node(node, events, tmp_path)

    assert [e["key"] for e in out["entries"]] == ["in-1", "msg_1", "in-2"]


# -- checked against the catalogue's JSON Schema ------------------------------------------------
def schema_types() -> set[str]:
    return set(json.loads(SCHEMA.read_text())["properties"]["type"]["enum"])


def test_the_js_projection_knows_every_event_type_of_the_schema(node):
    types = run_node(node, "types")
    handled, ignored = set(types["handled"]), set(types["ignored"])

    assert not handled & ignored
    assert handled | ignored == schema_types()
    # The types that change entries are the Python projection's.
    assert handled == {str(kind) for kind in _HANDLERS}


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_fixture_event_validates_against_the_committed_schema(name):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for event in events_of(name):
        errors = [e.message for e in validator.iter_errors(event)]
        assert not errors, (event["seq"], event["type"], errors[:3])


# -- no other copy ------------------------------------------------------------------------------
def browser_sources() -> list[Path]:
    sources = [
        *(ROOT / "static" / "conversations").glob("*.js"),
        *(ROOT / "frontend" / "src").glob("*.js*"),
    ]
    return [path for path in sources if path != PROJECTION_JS]


def test_no_other_browser_code_derives_entries_from_events():
    """The stream's entry-building event types are named in projection.js only."""
    derived = {
        "message.output.delta",
        "tool.execution.delta",
        "function.call.delta",
        "agent.handoff.started",
        "agent.handoff.done",
    }
    alternatives = "|".join(re.escape(t) for t in derived)
    pattern = re.compile(rf"""["'`]({alternatives})["'`]""")
    sources = browser_sources()
    names = {p.name for p in sources}
    assert {"live.js", "timeline.js", "main.jsx", "liveOverlay.js"} <= names

    offenders = {str(p.relative_to(ROOT)): pattern.findall(p.read_text()) for p in sources}
    assert {path: found for path, found in offenders.items() if found} == {}
    assert pattern.search(PROJECTION_JS.read_text())
    # The live page and the editor's overlay import that one module.
    assert 'from "./projection.js"' in (ROOT / "static" / "conversations" / "live.js").read_text()
    overlay = (ROOT / "frontend" / "src" / "liveOverlay.js").read_text()
    assert 'from "../../static/conversations/projection.js"' in overlay
