"""What the runner reads out of replies: labels, winners, subtasks, decompositions; templates."""

from orchestrations.runner import reading


def test_render_fills_input_previous_and_named_steps():
    text = reading.render(
        "{input}|{previous}|{steps.a}|{steps.zz}|{other}",
        run_input="I",
        previous="P",
        steps={"a": "A"},
    )
    assert text == "I|P|A|{steps.zz}|{other}"


def test_route_label_is_normalised():
    labels = ["TECHNICAL", "RESEARCH", "CREATIVE"]
    assert reading.route_label("research.", labels) == "RESEARCH"
    assert reading.route_label("  **CREATIVE**\n", labels) == "CREATIVE"
    assert reading.route_label("I think this is TECHNICAL work", labels) == "TECHNICAL"
    assert reading.route_label('{"label": "research"}', labels) == "RESEARCH"
    assert reading.route_label("no idea", labels) is None


def test_judge_winner_from_structured_output_or_text():
    names = ["a", "b", "c"]
    assert reading.judge_winner('{"winner": 2, "rationale": "x"}', names) == 1
    assert reading.judge_winner('```json\n{"winner": "c"}\n```', names) == 2
    assert reading.judge_winner("WINNER: 1 because", names) == 0
    assert reading.judge_winner('{"winner": 7}', names) is None
    assert reading.judge_winner("nobody", names) is None


def test_subtasks_and_worker_names():
    reply = '{"subtasks": [{"worker": "Code Worker", "task": "sum"}, {"worker": "doc"}]}'
    assert reading.subtasks(reply) == [("Code Worker", "sum"), ("doc", "")]
    assert reading.subtasks("- search: find it\n- code: run it") == [
        ("search", "find it"),
        ("code", "run it"),
    ]
    workers = ["code", "search", "doc"]
    assert reading.worker_key("Code Worker", workers) == "code"
    assert reading.worker_key("DOC", workers) == "doc"
    assert reading.worker_key("Painter", workers) is None


def test_decomposition_verdicts():
    assert reading.decomposition("TASK: x\nCOMPLEXITY: SIMPLE\nACTION: EXECUTE") is None
    reply = "TASK: x\nCOMPLEXITY: COMPLEX\nACTION: DECOMPOSE\nSUBTASKS:\n- a\n- b"
    assert reading.decomposition(reply) == ["a", "b"]
    assert reading.decomposition('{"action": "decompose", "subtasks": ["p", "q"]}') == ["p", "q"]
    assert reading.decomposition("just an answer") is None
