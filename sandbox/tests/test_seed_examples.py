"""The handoffs guide's two examples, run through the SDK with the guide's own agents.

Example A follows the guide's transcript via the scenario file `handoffs_example_a.yaml`;
example B comes from the reply policy alone.
"""

from __future__ import annotations

import json

import pytest
from mistralai.client.models import (
    AgentHandoffDoneEvent,
    AgentHandoffEntry,
    FunctionCallEntry,
    FunctionCallEvent,
    FunctionResultEntry,
    MessageOutputEntry,
    TextChunk,
    ToolExecutionDoneEvent,
    ToolExecutionEntry,
    ToolFileChunk,
    ToolReferenceChunk,
)

from sandbox.tests.conftest import collect
from sandbox.tests.seed_agents import EXAMPLE_A, EXAMPLE_B

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
PNG = b"\x89PNG\r\n\x1a\n"


def test_example_a_follows_the_guides_transcript(client, finance):
    response = client.beta.conversations.start(agent_id=finance.finance.id, inputs=EXAMPLE_A)

    outputs = response.outputs
    assert [o.type for o in outputs] == [
        "agent.handoff", "tool.execution", "message.output", "agent.handoff", "message.output",
    ]  # fmt: skip
    first, search, found, second, answer = outputs
    assert isinstance(first, AgentHandoffEntry)
    assert (first.previous_agent_id, first.next_agent_id) == (
        finance.finance.id,
        finance.websearch.id,
    )
    assert first.next_agent_name == "websearch-agent"
    assert isinstance(search, ToolExecutionEntry) and search.name == "web_search"
    assert isinstance(found, MessageOutputEntry) and found.agent_id == finance.websearch.id
    text, reference, handoff_note = found.content
    assert (
        isinstance(text, TextChunk)
        and text.text == "The current US bank interest rate is 4.50 percent"
    )
    assert isinstance(reference, ToolReferenceChunk)
    assert reference.url == "https://tradingeconomics.com/united-states/interest-rate"
    assert "handoff the conversation to the calculator agent" in handoff_note.text
    assert isinstance(second, AgentHandoffEntry)
    assert (second.previous_agent_name, second.next_agent_name) == (
        "websearch-agent",
        "calculator-agent",
    )
    assert answer.agent_id == finance.calculator.id
    result = json.loads(answer.content)
    assert result["result"] == "The future value of the investment after 10 years is $1,540.10."
    assert "1540.10" in result["reasoning"]

    # The calculator is now the active agent of the conversation.
    follow_up = client.beta.conversations.append(
        conversation_id=response.conversation_id, inputs="Thanks, and over 20 years?"
    )
    assert follow_up.outputs[-1].agent_id == finance.calculator.id


def test_example_b_by_policy_alone(client, finance):
    response = client.beta.conversations.start(agent_id=finance.finance.id, inputs=EXAMPLE_B)

    handoff, call = response.outputs
    assert isinstance(handoff, AgentHandoffEntry)
    assert handoff.next_agent_name == "ecb-interest-rate-agent"
    assert handoff.next_agent_id == finance.ecb.id
    assert isinstance(call, FunctionCallEntry)
    assert call.name == "get_european_central_bank_interest_rate"
    assert call.agent_id == finance.ecb.id
    assert json.loads(call.arguments)["date"].startswith("2025-")

    response = client.beta.conversations.append(
        conversation_id=response.conversation_id,
        inputs=[FunctionResultEntry(tool_call_id=call.tool_call_id, result="2.5%")],
    )

    kinds = [o.type for o in response.outputs]
    assert (
        kinds[0] == "agent.handoff" and response.outputs[0].next_agent_name == "graph-drawing-agent"
    )
    execution = next(o for o in response.outputs if isinstance(o, ToolExecutionEntry))
    assert execution.name == "code_interpreter"
    assert execution.agent_id == finance.graph.id
    assert "0.025" in execution.info["code"]
    assert execution.info["code_output"].splitlines()[-1] == "10 1280.08"
    final = response.outputs[-1]
    assert isinstance(final, MessageOutputEntry) and final.agent_id == finance.graph.id
    files = [c for c in final.content if isinstance(c, ToolFileChunk)]
    assert len(files) == 1 and files[0].tool == "code_interpreter" and files[0].file_type == "png"
    # The guide's download snippet works unchanged.
    meta = client.files.retrieve(file_id=files[0].file_id)
    download = client.files.download(file_id=files[0].file_id)
    try:
        data = download.read()
    finally:
        download.close()
    assert data.startswith(PNG) and len(data) == meta.size_bytes > 1000


def test_example_b_streamed(client, finance):
    first = collect(
        client.beta.conversations.start_stream(agent_id=finance.finance.id, inputs=EXAMPLE_B)
    )
    assert first.of(AgentHandoffDoneEvent)[0].next_agent_name == "ecb-interest-rate-agent"
    deltas = first.of(FunctionCallEvent)
    arguments = json.loads("".join(d.arguments for d in deltas))
    assert arguments["date"].startswith("2025-")
    conversation_id = first.events[0].data.conversation_id

    second = collect(
        client.beta.conversations.append_stream(
            conversation_id=conversation_id,
            inputs=[FunctionResultEntry(tool_call_id=deltas[0].tool_call_id, result="2.5%")],
        )
    )
    assert second.of(AgentHandoffDoneEvent)[0].next_agent_name == "graph-drawing-agent"
    assert second.of(ToolExecutionDoneEvent)[0].name == "code_interpreter"
    assert second.types[-1] == "conversation.response.done"
