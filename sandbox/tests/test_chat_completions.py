"""`/v1/chat/completions` through the real SDK (`client.chat.complete` / `client.chat.stream`):
tools, tool_choice, parallel tool calls, response formats, and the handoffs guide's example B
played as a client-side handoff loop (one system prompt and tool list per agent, one
`transfer_to_<agent>` function per handoff edge), routing as the Conversations API does."""

from __future__ import annotations

import json

import pytest
from mistralai.client.errors import SDKError

from sandbox.tests.seed_agents import EXAMPLE_B

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
MODEL = "mistral-large-latest"
ECB_FUNCTION = {
    "type": "function",
    "function": {
        "name": "get_european_central_bank_interest_rate",
        "description": "Retrieve the real interest rate of European central bank.",
        "parameters": {
            "type": "object",
            "properties": {"date": {"type": "string"}},
            "required": ["date"],
        },
    },
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather forecast of a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
HOTEL = {
    "type": "function",
    "function": {
        "name": "book_hotel",
        "description": "Book a hotel room in a city for a number of adults",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "adults": {"type": "integer"}},
            "required": ["city", "adults"],
        },
    },
}


def transfer(name: str, description: str) -> dict:
    return {
        "type": "function",
        "function": {
            "name": "transfer_to_" + name.replace("-", "_"),
            "description": description,
            "parameters": {"type": "object", "properties": {}},
        },
    }


FINANCE_TRANSFERS = [
    transfer(
        "ecb-interest-rate-agent", "Can find the current interest rate of the European central bank"
    ),
    transfer("websearch-agent", "Agent that can search online for any information if needed"),
]
ECB_TRANSFERS = [
    transfer("graph-drawing-agent", "Agent used to create graphs using the code interpreter tool."),
    transfer("calculator-agent", "Agent used to make detailed calculations"),
]


def test_blocking_answer_without_tools(client):
    response = client.chat.complete(model=MODEL, messages=[{"role": "user", "content": "Hello"}])
    choice = response.choices[0]
    assert choice.finish_reason == "stop"
    assert "Sandbox reply from mistral-large-latest" in choice.message.content
    assert response.usage.total_tokens == (
        response.usage.prompt_tokens + response.usage.completion_tokens
    )


def test_example_b_routes_as_the_conversations_policy(client):
    messages = [{"role": "system", "content": "finance"}, {"role": "user", "content": EXAMPLE_B}]
    first = client.chat.complete(model=MODEL, messages=messages, tools=FINANCE_TRANSFERS)
    (call,) = first.choices[0].message.tool_calls
    assert call.function.name == "transfer_to_ecb_interest_rate_agent"
    assert first.choices[0].finish_reason == "tool_calls"

    messages += [
        {"role": "assistant", "content": "", "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "name": call.function.name,
         "content": "Transferred to ecb-interest-rate-agent."},
    ]  # fmt: skip
    second = client.chat.complete(
        model=MODEL, messages=messages, tools=[ECB_FUNCTION, *ECB_TRANSFERS]
    )
    (fc,) = second.choices[0].message.tool_calls
    assert fc.function.name == "get_european_central_bank_interest_rate"
    assert json.loads(fc.function.arguments)["date"] == "2025-01-01"

    messages += [
        {"role": "assistant", "content": "", "tool_calls": [fc.model_dump()]},
        {"role": "tool", "tool_call_id": fc.id, "name": fc.function.name, "content": "2.5%"},
    ]
    third = client.chat.complete(
        model=MODEL, messages=messages, tools=[ECB_FUNCTION, *ECB_TRANSFERS]
    )
    (handoff,) = third.choices[0].message.tool_calls
    assert handoff.function.name == "transfer_to_graph_drawing_agent"


def test_streamed_tool_call_and_text(client):
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    chunks = list(client.chat.stream(model=MODEL, messages=messages, tools=[WEATHER]))
    calls = [c for ch in chunks for c in (ch.data.choices[0].delta.tool_calls or [])]
    assert [c.function.name for c in calls] == ["get_weather"]
    assert json.loads(calls[0].function.arguments) == {"city": "Paris"}
    assert chunks[-1].data.choices[0].finish_reason == "tool_calls"
    assert chunks[-1].data.usage.total_tokens > 0

    messages += [
        {"role": "assistant", "content": "", "tool_calls": [calls[0].model_dump()]},
        {"role": "tool", "tool_call_id": calls[0].id, "name": "get_weather", "content": "sunny"},
    ]
    chunks = list(client.chat.stream(model=MODEL, messages=messages, tools=[WEATHER]))
    text = "".join(ch.data.choices[0].delta.content or "" for ch in chunks)
    assert text == "Sandbox reply from mistral-large-latest: get_weather returned sunny."
    assert chunks[-1].data.choices[0].finish_reason == "stop"


def test_parallel_tool_calls_and_their_opt_out(client):
    messages = [{"role": "user", "content": "Weather in Paris and a hotel in Paris for 2 adults"}]
    both = client.chat.complete(model=MODEL, messages=messages, tools=[WEATHER, HOTEL])
    names = [c.function.name for c in both.choices[0].message.tool_calls]
    assert sorted(names) == ["book_hotel", "get_weather"]
    hotel = next(c for c in both.choices[0].message.tool_calls if c.function.name == "book_hotel")
    assert json.loads(hotel.function.arguments) == {"city": "Paris", "adults": 2}
    one = client.chat.complete(
        model=MODEL, messages=messages, tools=[WEATHER, HOTEL], parallel_tool_calls=False
    )
    assert len(one.choices[0].message.tool_calls) == 1


def test_tool_choice_none_any_and_named(client):
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    none = client.chat.complete(model=MODEL, messages=messages, tools=[WEATHER], tool_choice="none")
    assert not none.choices[0].message.tool_calls
    unrelated = [{"role": "user", "content": "Tell me a joke"}]
    forced = client.chat.complete(
        model=MODEL, messages=unrelated, tools=[WEATHER], tool_choice="any"
    )
    assert forced.choices[0].message.tool_calls[0].function.name == "get_weather"
    named = client.chat.complete(
        model=MODEL,
        messages=messages,
        tools=[WEATHER, HOTEL],
        tool_choice={"type": "function", "function": {"name": "book_hotel"}},
    )
    assert [c.function.name for c in named.choices[0].message.tool_calls] == ["book_hotel"]


def test_response_formats(client):
    schema = {
        "type": "object",
        "properties": {"reasoning": {"type": "string"}, "result": {"type": "string"}},
        "required": ["reasoning", "result"],
    }
    response = client.chat.complete(
        model=MODEL,
        messages=[{"role": "user", "content": "Compute 2+2"}],
        response_format={"type": "json_schema", "json_schema": {"name": "r", "schema": schema}},
    )
    assert set(json.loads(response.choices[0].message.content)) == {"reasoning", "result"}
    chunks = client.chat.stream(
        model=MODEL,
        messages=[{"role": "user", "content": "Compute 2+2"}],
        response_format={"type": "json_object"},
    )
    text = "".join(ch.data.choices[0].delta.content or "" for ch in chunks)
    assert json.loads(text)["source"] == "sandbox"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": MODEL, "messages": []}, "messages"),
        ({"model": MODEL, "messages": [{"role": "robot", "content": "x"}]}, "role"),
        ({"model": MODEL, "messages": [{"role": "tool", "content": "x"}]}, "tool_call_id"),
        ({"model": MODEL, "messages": [{"role": "user", "content": "x"}], "tools": [{}]}, "name"),
        (
            {
                "model": MODEL,
                "messages": [{"role": "user", "content": "x"}],
                "tool_choice": "maybe",
            },
            "tool_choice",
        ),  # fmt: skip
    ],
)
def test_bad_requests_name_the_field(asgi_server, body, field):
    import httpx2
    from django.conf import settings

    response = httpx2.post(
        f"{asgi_server.url}/sandbox/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"},
    )
    assert response.status_code == 422
    assert field in json.dumps(response.json())


def test_wrong_key_is_refused(sandbox_url):
    from mistralai.client import Mistral

    other = Mistral(api_key="not-the-key", server_url=sandbox_url)
    with pytest.raises(SDKError) as caught:
        other.chat.complete(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert caught.value.status_code == 401


def test_agents_completion_answers_the_deprecation(client):
    with pytest.raises(SDKError) as caught:
        client.agents.complete(agent_id="ag_x", messages=[{"role": "user", "content": "Hi"}])
    assert caught.value.status_code == 410
    assert "deprecated" in caught.value.body


def test_arguments_come_from_the_prompts_own_values(client):
    booking = {
        "type": "function",
        "function": {
            "name": "book_room",
            "description": "Book a hotel room",
            "parameters": {
                "type": "object",
                "properties": {
                    "children": {"type": "integer"},
                    "adults": {"type": "integer"},
                    "nights": {"type": "integer"},
                    "budget": {"type": "number"},
                    "room": {"type": "string", "enum": ["single", "double", "suite"]},
                    "guests": {"description": "how many guests"},
                },
                "required": ["children", "adults", "nights", "budget", "room", "guests"],
            },
        },
    }
    text = "Book a suite room for 3 nights: 2 adults and 1 child, 3 guests, budget 450 euros"
    response = client.chat.complete(
        model=MODEL, messages=[{"role": "user", "content": text}], tools=[booking]
    )
    arguments = json.loads(response.choices[0].message.tool_calls[0].function.arguments)
    assert arguments == {"children": 1, "adults": 2, "nights": 3, "budget": 450.0,
                         "room": "suite", "guests": 3}  # fmt: skip
    # The conversations policy builds them the same way.
    agent = client.beta.agents.create(model=MODEL, name="booker", tools=[booking])
    started = client.beta.conversations.start(agent_id=agent.id, inputs=text)
    assert json.loads(started.outputs[0].arguments) == arguments


def test_json_response_format_is_honoured_after_a_code_interpreter_run(client):
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "years": {"type": "integer"}},
        "required": ["summary", "years"],
    }
    agent = client.beta.agents.create(
        model=MODEL,
        name="plotter",
        tools=[{"type": "code_interpreter"}],
        completion_args={
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "plot", "schema": schema}}
        },
    )  # fmt: skip
    response = client.beta.conversations.start(
        agent_id=agent.id, inputs="Plot 5% compounded over 10 years"
    )
    assert any(o.type == "tool.execution" for o in response.outputs)
    final = json.loads(response.outputs[-1].content)
    assert set(final) == {"summary", "years"} and final["years"] == 10
