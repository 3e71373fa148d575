"""Unit checks of the validation module beyond what the API tests cover."""

from __future__ import annotations

from agents import validation


def test_valid_function_tool_passes():
    tool = {
        "type": "function",
        "function": {
            "name": "get_european_central_bank_interest_rate",
            "description": "Retrieve the rate.",
            "parameters": {
                "type": "object",
                "properties": {"date": {"type": "string"}},
                "required": ["date"],
            },
            "strict": True,
        },
    }
    assert validation.tools_errors([tool]) == {}


def test_schema_errors_say_where_in_the_schema():
    errors = validation.json_schema_errors(
        {"type": "object", "properties": {"date": {"type": "strng"}}}, field="p"
    )
    assert "properties/date/type" in errors["p"][0]


def test_deeply_nested_schema_is_an_error_not_a_crash():
    schema: dict = {"type": "object"}
    for _ in range(5_000):
        schema = {"type": "object", "properties": {"a": schema}}
    errors = validation.tools_errors(
        [{"type": "function", "function": {"name": "f", "parameters": schema}}]
    )
    assert errors


def test_null_completion_args_mean_unset():
    assert validation.completion_args_errors({"temperature": None, "stop": None}) == {}


def test_response_format_text_must_not_carry_a_schema():
    errors = validation.completion_args_errors(
        {"response_format": {"type": "text", "json_schema": {"name": "x", "schema": {}}}}
    )
    assert "completion_args.response_format.json_schema" in errors


def test_handoff_errors():
    assert (
        validation.handoff_errors(source_id="a", target_ids=["b"], graph_agent_ids=["a", "b"]) == {}
    )
    assert validation.handoff_errors(source_id="a", target_ids=["a"], graph_agent_ids=["a"])
    assert validation.handoff_errors(source_id="a", target_ids=["z"], graph_agent_ids=["a"])
