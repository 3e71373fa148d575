"""Example prompts for the demo graphs, offered on the start form: each one exercises the graph's
handoffs and tools under the sandbox's policy (conversations/tests/test_examples.py plays each
through the policy and checks the route it describes), and works the same on the real API.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    prompt: str
    shows: str  # what running it shows, for the person choosing


EXAMPLE_PROMPTS: dict[str, list[Example]] = {
    "Finance": [
        Example(
            "Given the interest rate of the European Central Bank as of jan 2025, plot a graph "
            "of the compounded interest rate over the next 10 years",
            "Handoff to ecb-interest-rate-agent, a function call you answer in the inbox "
            "(e.g. 2.5%), then graph-drawing-agent runs the code interpreter and draws a chart.",
        ),
        Example(
            "What was the European Central Bank interest rate in March 2024?",
            "Handoff to ecb-interest-rate-agent and one function call for you to answer.",
        ),
        Example(
            "Search online for the latest news about inflation in the euro area",
            "Handoff to websearch-agent, which runs a web search.",
        ),
        Example(
            "Search online for the euro inflation, then make detailed calculations of its "
            "effect over 5 years",
            "Two handoffs: websearch-agent searches, calculator-agent answers in JSON.",
        ),
    ],
    "Customer support": [
        Example(
            "I was charged twice on my last invoice",
            "Handoff to Billing Support, which searches its document library.",
        ),
        Example(
            "The API returns error 500 when I upload a document",
            "Handoff to Technical Support: the documentation, then the code interpreter.",
        ),
        Example(
            "What features and pricing do you offer for purchases?",
            "Handoff to Sales, which runs a web search.",
        ),
    ],
    # Its patterns are programs, not handoffs: a conversation here is one agent; the guide's
    # pipelines, router, fan-out, competition and manager-worker run from its Orchestrations page.
    "Orchestration patterns": [
        Example(
            "Research the solar power market in Europe",
            "Research Agent runs a web search. Run the same input through the orchestrations "
            "(Orchestrations on the graph's page) to see research → analysis → report or the "
            "fan-out.",
        ),
        Example(
            "What are the latest AI trends?",
            "Research Agent runs a web search; in the Conditional router orchestration this "
            "line is classified RESEARCH.",
        ),
    ],
}


def examples_for(graph_name: str) -> list[Example]:
    return EXAMPLE_PROMPTS.get(graph_name, [])
