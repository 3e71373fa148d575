"""Demo graphs, as portable documents (see `portable.py`), loaded by `manage.py load_demo`.

FINANCE is the handoffs example of Mistral's docs (shared/seeds/001_…): its five agents, tools,
completion args and handoffs exactly as written there; finance-agent is the entry.
CUSTOMER_SUPPORT is the "Explicit Handoff" pattern of shared/seeds/000_…, where the seed routes by
parsing "HANDOFF: X" out of the reply; here those routes are real handoff edges instead.
"""

from __future__ import annotations

from typing import Any

from agents.demo_orchestrations import ORCHESTRATION_GUIDE

# `CalcResult.model_json_schema()` from the seed, written out (pydantic v2 output).
CALC_RESULT_SCHEMA = {
    "properties": {
        "reasoning": {"title": "Reasoning", "type": "string"},
        "result": {"title": "Result", "type": "string"},
    },
    "required": ["reasoning", "result"],
    "title": "CalcResult",
    "type": "object",
}


def _agent(name: str, **fields: Any) -> dict[str, Any]:
    # No position: a graph whose cards were never placed opens laid out left to right, the way
    # its handoff handles point (the editor's first layout).
    return {
        "name": name,
        "description": fields.get("description", ""),
        "instructions": fields.get("instructions", ""),
        "model": fields.get("model", "mistral-large-latest"),
        "tools": fields.get("tools", []),
        "completion_args": fields.get("completion_args", {}),
        "handoffs": fields.get("handoffs", []),
    }


FINANCE: dict[str, Any] = {
    "format": "agentstudio.graph",
    "version": 1,
    "name": "Finance",
    "description": "Mistral's handoffs example: a finance agent that routes to web search, an ECB "
    "rate lookup, a calculator and a chart drawer.",
    "entry_agent": "finance-agent",
    "agents": [
        _agent(
            "finance-agent",
            description="Agent used to answer financial related requests",
            handoffs=["ecb-interest-rate-agent", "websearch-agent"],
        ),
        _agent(
            "websearch-agent",
            description="Agent that can search online for any information if needed",
            tools=[{"type": "web_search"}],
            handoffs=["graph-drawing-agent", "calculator-agent"],
        ),
        _agent(
            "ecb-interest-rate-agent",
            description="Can find the current interest rate of the European central bank",
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
                }
            ],
            handoffs=["graph-drawing-agent", "calculator-agent"],
        ),
        _agent(
            "graph-drawing-agent",
            description="Agent used to create graphs using the code interpreter tool.",
            instructions="Use the code interpreter tool when you have to draw a graph.",
            tools=[{"type": "code_interpreter"}],
        ),
        _agent(
            "calculator-agent",
            description="Agent used to make detailed calculations",
            instructions="When doing calculations explain step by step what you are doing.",
            completion_args={
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "calc_result", "schema": CALC_RESULT_SCHEMA},
                }
            },
        ),
    ],
}

CUSTOMER_SUPPORT: dict[str, Any] = {
    "format": "agentstudio.graph",
    "version": 1,
    "name": "Customer support",
    "description": "The Explicit Handoff pattern: customer service hands technical, billing and "
    "sales questions to specialists.",
    "entry_agent": "Customer Service",
    "agents": [
        _agent(
            "Customer Service",
            model="mistral-medium-latest",
            description="Handles general customer inquiries and routes to specialists.",
            instructions=(
                "You handle general customer inquiries.\n\n"
                "If the customer needs technical support, hand off to Technical Support.\n"
                "If the customer needs billing support, hand off to Billing Support.\n"
                "If the customer needs sales info, hand off to Sales.\n\n"
                "Otherwise, handle the inquiry directly."
            ),
            completion_args={"temperature": 0.3},
            handoffs=["Billing Support", "Sales", "Technical Support"],
        ),
        # The seed's {"type": "document_retrieval", "config": {"library_id": …}} is not a Mistral
        # tool; document_library with the same library id is the real equivalent.
        _agent(
            "Technical Support",
            description="Solves technical issues such as API errors, using the documentation.",
            instructions=(
                "You provide technical support. Access documentation and solve technical issues."
            ),
            tools=[
                {"type": "document_library", "library_ids": ["lib_tech_docs"]},
                {"type": "code_interpreter"},
            ],
        ),
        _agent(
            "Billing Support",
            model="mistral-medium-latest",
            description="Answers billing inquiries: charges, invoices and billing records.",
            instructions=(
                "You handle billing inquiries. Access billing records and explain charges."
            ),
            tools=[{"type": "document_library", "library_ids": ["lib_billing"]}],
        ),
        _agent(
            "Sales",
            model="mistral-medium-latest",
            description="Explains features and pricing, and helps with purchases.",
            instructions=(
                "You provide sales information. Explain features, pricing, and help with purchases."
            ),
            tools=[{"type": "web_search"}],
        ),
    ],
}

DEMO_GRAPHS = [FINANCE, CUSTOMER_SUPPORT, ORCHESTRATION_GUIDE]
