"""Fast, in-process tests of the reply policy: word matching, argument filling, JSON answers,
routing decisions and scenario files. No server, no database."""

from __future__ import annotations

import json

import jsonschema
import pytest

from sandbox import scenarios, wire
from sandbox.arguments import (
    find_dates,
    find_identifiers,
    find_numbers,
    function_arguments,
    json_for_schema,
)
from sandbox.charts import GrowthChart
from sandbox.policy import run_turn
from sandbox.specs import AgentSpec
from sandbox.tests.seed_agents import EXAMPLE_B, CalcResult
from sandbox.text import stem, stems


@pytest.mark.parametrize(
    ("words", "shared"),
    [
        (["refund", "refunds", "Refunded"], "refund"),
        (["charged", "charges", "charge", "charging"], "charg"),
        (["graph", "graphs"], "graph"),
        (["calculate", "calculations", "calculator"], "calculat"),
    ],
)
def test_stemming_folds_word_forms(words, shared):
    assert {stem(w) for w in words} == {shared}


def test_stems_ignore_case_punctuation_stop_words_and_numbers():
    assert stems("Why was I CHARGED twice?! (2025)") == {"charg", "twic"}
    assert stems("ecb-interest-rate-agent") == {"ecb", "interest", "rate"}
    assert stems("plot a chart") == {"graph"}  # synonyms fold onto one stem


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("as of jan 2025", ["2025-01-01"]),
        ("on 2025-03-15 and then March 3, 2025", ["2025-03-15", "2025-03-03"]),
        ("from 15th February 2024", ["2024-02-15"]),
        ("in September 2023", ["2023-09-01"]),
        ("no date here", []),
    ],
)
def test_dates_become_iso(text, dates):
    assert find_dates(text) == dates


def test_identifiers_and_numbers_are_told_apart():
    text = "Order A-1234 and INV2025001 cost 49.90 and 3 items on 2025-01-02"
    assert find_identifiers(text) == ["A-1234", "INV2025001"]
    assert find_numbers(text) == [49.9, 3.0]


REFUND_SCHEMA = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string"},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 5},
        "amount": {"type": "number"},
        "reason": {"type": "string", "enum": ["damaged", "late", "unwanted"]},
        "since": {"type": "string", "format": "date"},
        "email": {"type": "string"},
        "express": {"type": "boolean"},
        "note": {"type": "string"},
    },
    "required": ["order_id", "quantity", "reason", "since", "express"],
    "additionalProperties": False,
}


def test_arguments_use_values_from_the_text():
    args = function_arguments(
        REFUND_SCHEMA, "Refund order A-1234: 9 units arrived late in jan 2025, mail me at a@b.io"
    )
    jsonschema.validate(args, REFUND_SCHEMA)
    assert args["order_id"] == "A-1234"
    assert args["quantity"] == 5  # 9 clamped to the maximum
    assert args["reason"] == "late"
    assert args["since"] == "2025-01-01"
    assert args["email"] == "a@b.io"
    assert args["express"] is False
    assert "note" not in args  # optional and not offered by the text


def test_required_arguments_get_placeholders_when_the_text_has_nothing():
    args = function_arguments(REFUND_SCHEMA, "please help")
    jsonschema.validate(args, REFUND_SCHEMA)
    assert set(args) == {"order_id", "quantity", "reason", "since", "express"}
    assert args["reason"] == "damaged"  # the first enum value


def test_json_answers_are_valid_for_pydantic_schemas():
    schema = CalcResult.model_json_schema()
    value = json_for_schema(schema, "compute", "Sandbox reply from calculator-agent (m).")
    jsonschema.validate(value, schema)
    assert value["reasoning"].startswith("Sandbox reply")

    nested = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/I"}, "minItems": 2},
                       "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
        "required": ["items", "maybe"],
        "$defs": {"I": {"type": "object", "properties": {"n": {"const": 1}}, "required": ["n"]}},
    }  # fmt: skip
    value = json_for_schema(nested, "", "s")
    jsonschema.validate(value, nested)
    assert value == {"items": [{"n": 1}, {"n": 1}], "maybe": 1}


# ---- whole turns, with the seed's agents built in memory --------------------------------------


def _seed_agents() -> dict[str, AgentSpec]:
    fn = {"name": "get_european_central_bank_interest_rate",
          "description": "Retrieve the real interest rate of European central bank.",
          "parameters": {"type": "object", "properties": {"date": {"type": "string"}},
                         "required": ["date"]}}  # fmt: skip
    agents = [
        AgentSpec("ag_fin", "finance-agent", "m", "Agent used to answer financial related requests",
                  handoffs=["ag_ecb", "ag_web"]),
        AgentSpec("ag_web", "websearch-agent", "m",
                  "Agent that can search online for any information if needed",
                  tools=[{"type": "web_search"}], handoffs=["ag_graph", "ag_calc"]),
        AgentSpec("ag_ecb", "ecb-interest-rate-agent", "m",
                  "Can find the current interest rate of the European central bank",
                  tools=[{"type": "function", "function": fn}], handoffs=["ag_graph", "ag_calc"]),
        AgentSpec("ag_graph", "graph-drawing-agent", "m",
                  "Agent used to create graphs using the code interpreter tool.",
                  tools=[{"type": "code_interpreter"}]),
        AgentSpec("ag_calc", "calculator-agent", "m", "Agent used to make detailed calculations"),
    ]  # fmt: skip
    return {a.id: a for a in agents}


def test_example_b_in_process():
    agents = _seed_agents()
    history = [wire.message_input(EXAMPLE_B)]
    first = run_turn(history, agents["ag_fin"], agents.get)
    assert [o["type"] for o in first.outputs] == ["agent.handoff", "function.call"]
    assert json.loads(first.outputs[1]["arguments"]) == {"date": "2025-01-01"}
    assert first.active_agent_id == "ag_ecb"

    history += first.outputs + [wire.function_result(first.outputs[1]["tool_call_id"], "2.5%")]
    second = run_turn(history, agents["ag_ecb"], agents.get)
    # The shape of the guide's transcript: handoff, explanation, code run, message with the plot.
    kinds = [o["type"] for o in second.outputs]
    assert kinds == ["agent.handoff", "message.output", "tool.execution", "message.output"]
    assert second.outputs[0]["next_agent_name"] == "graph-drawing-agent"
    assert second.active_agent_id == "ag_graph"
    (file,) = second.files
    assert file.content.startswith(b"\x89PNG")
    assert second.outputs[-1]["content"][0]["file_id"] == file.id
    assert second.usage["connectors"] == {"code_interpreter": 1}


def test_after_a_result_the_agent_answers_when_nothing_else_is_asked():
    agents = _seed_agents()
    history = [wire.message_input("What was the European central bank rate in March 2024?")]
    first = run_turn(history, agents["ag_fin"], agents.get)
    call = first.outputs[-1]
    assert json.loads(call["arguments"]) == {"date": "2024-03-01"}
    history += first.outputs + [wire.function_result(call["tool_call_id"], "4.5%")]
    second = run_turn(history, agents["ag_ecb"], agents.get)
    (answer,) = second.outputs
    assert answer["agent_id"] == "ag_ecb"
    assert "get_european_central_bank_interest_rate returned 4.5%" in answer["content"]


def test_client_handoffs_end_the_turn_and_never_loop_back():
    a = AgentSpec("ag_a", "alpha", "m", "Billing questions", handoffs=["ag_b"])
    b = AgentSpec("ag_b", "billing", "m", "Billing and invoices", handoffs=["ag_a"])
    lookup = {"ag_a": a, "ag_b": b}.get
    history = [wire.message_input("A billing question")]
    turn = run_turn(history, a, lookup, handoff_execution="client")
    assert [o["type"] for o in turn.outputs] == ["agent.handoff"]
    # Resumed: billing answers, and does not hand back to alpha (already visited).
    resumed = run_turn(history + turn.outputs, b, lookup)
    assert [o["type"] for o in resumed.outputs] == ["message.output"]


def test_tool_choice_is_respected():
    fn = {"name": "ping", "description": "zzz", "parameters": {"type": "object", "properties": {}}}
    tools = [{"type": "function", "function": fn}]
    history = [wire.message_input("hello")]
    forced = AgentSpec("ag_x", "x", "m", tools=tools, completion_args={"tool_choice": "any"})
    assert run_turn(history, forced, lambda _: None).outputs[0]["type"] == "function.call"
    auto = AgentSpec("ag_x", "x", "m", tools=tools)
    assert run_turn(history, auto, lambda _: None).outputs[0]["type"] == "message.output"
    none = AgentSpec("ag_x", "x", "m", tools=tools, completion_args={"tool_choice": "none"})
    none.completion_args["tool_choice"] = "none"
    none_turn = run_turn([wire.message_input("ping")], none, lambda _: None)
    assert none_turn.outputs[0]["type"] == "message.output"
    pong = {"name": "pong", "description": "ping", "parameters": {"type": "object"}}
    choice = {"type": "function", "function": {"name": "ping"}}
    named = AgentSpec(
        "ag_x", "x", "m", tools=[*tools, {"type": "function", "function": pong}],
        completion_args={"tool_choice": choice},
    )  # fmt: skip
    # "pong" matches the message better, but the named tool choice wins.
    turn = run_turn([wire.message_input("pong")], named, lambda _: None)
    assert turn.outputs[0]["name"] == "ping"


def test_growth_chart_numbers():
    chart = GrowthChart(2.5, 10)
    assert chart.values()[-1] == 1280.08
    assert chart.png().startswith(b"\x89PNG")


def test_scenario_files_are_validated(tmp_path, settings):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {agent: a, input: x, outputs: [{type: teleport}]}\n")
    settings.SANDBOX_SCENARIO_DIRS = [str(tmp_path)]
    with pytest.raises(scenarios.ScenarioError, match="unknown output"):
        scenarios.load_scenarios()


def test_scenario_turns_continue_after_function_results(tmp_path, settings):
    (tmp_path / "two.json").write_text(json.dumps([{
        "agent": "scripted", "input": "^go$",
        "turns": [[{"type": "function.call", "name": "f", "arguments": {"a": 1}}],
                  [{"type": "message.output", "content": [
                      {"type": "text", "text": "chart:"},
                      {"type": "tool_file", "tool": "code_interpreter", "rate": 3, "years": 2}]}]],
    }]))  # fmt: skip
    settings.SANDBOX_SCENARIO_DIRS = [str(tmp_path)]
    agent = AgentSpec("ag_s", "scripted", "m")
    history = [wire.message_input("go")]
    first = run_turn(history, agent, lambda _: None)
    assert first.outputs[0]["arguments"] == '{"a": 1}'
    history += first.outputs + [wire.function_result(first.outputs[0]["tool_call_id"], "ok")]
    second = run_turn(history, agent, lambda _: None, scenario_state=first.scenario)
    chunk = second.outputs[0]["content"][1]
    assert chunk["file_id"] == second.files[0].id and chunk["file_name"] == "plot_0.png"
    assert "rate" not in chunk


def test_place_names_fill_place_like_properties():
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    assert function_arguments(schema, "What is the weather in New York today?") == {
        "city": "New York"
    }
