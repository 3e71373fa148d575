"""The five agents of the handoffs guide (seeds/001), created exactly as the guide does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

EXAMPLE_A = (
    "Fetch the current US bank interest rate and calculate the compounded effect if investing "
    "for the next 10y"
)
EXAMPLE_B = (
    "Given the interest rate of the European Central Bank as of jan 2025, plot a graph of the "
    "compounded interest rate over the next 10 years"
)


class CalcResult(BaseModel):
    reasoning: str
    result: str


@dataclass
class FinanceGraph:
    finance: Any
    websearch: Any
    ecb: Any
    graph: Any
    calculator: Any


def create_finance_graph(client: Any) -> FinanceGraph:
    from mistralai.client.models import CompletionArgs, JSONSchema, ResponseFormat

    agents = client.beta.agents
    finance_agent = agents.create(
        model="mistral-large-latest",
        description="Agent used to answer financial related requests",
        name="finance-agent",
    )
    web_search_agent = agents.create(
        model="mistral-large-latest",
        description="Agent that can search online for any information if needed",
        name="websearch-agent",
        tools=[{"type": "web_search"}],
    )
    ecb_interest_rate_agent = agents.create(
        model="mistral-large-latest",
        description="Can find the current interest rate of the European central bank",
        name="ecb-interest-rate-agent",
        tools=[
            {
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
            },
        ],
    )
    graph_agent = agents.create(
        model="mistral-large-latest",
        name="graph-drawing-agent",
        description="Agent used to create graphs using the code interpreter tool.",
        instructions="Use the code interpreter tool when you have to draw a graph.",
        tools=[{"type": "code_interpreter"}],
    )
    calculator_agent = agents.create(
        model="mistral-large-latest",
        name="calculator-agent",
        description="Agent used to make detailed calculations",
        instructions="When doing calculations explain step by step what you are doing.",
        completion_args=CompletionArgs(
            response_format=ResponseFormat(
                type="json_schema",
                json_schema=JSONSchema(name="calc_result", schema=CalcResult.model_json_schema()),
            )
        ),
    )
    finance_agent = agents.update(
        agent_id=finance_agent.id, handoffs=[ecb_interest_rate_agent.id, web_search_agent.id]
    )
    ecb_interest_rate_agent = agents.update(
        agent_id=ecb_interest_rate_agent.id, handoffs=[graph_agent.id, calculator_agent.id]
    )
    web_search_agent = agents.update(
        agent_id=web_search_agent.id, handoffs=[graph_agent.id, calculator_agent.id]
    )
    return FinanceGraph(
        finance_agent, web_search_agent, ecb_interest_rate_agent, graph_agent, calculator_agent
    )
