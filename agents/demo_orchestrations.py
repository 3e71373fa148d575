"""The orchestration guide's examples (shared/seeds/000_…) as one demo graph: its agents as the
guide creates them, and its patterns as the graph's orchestrations (the document's
`orchestrations` section, which the orchestrations app reads and writes).

Tools are the guide's, except its `document_retrieval`, which is not a Mistral tool: the real
equivalent, document_library with the same library id, stands in.
"""

from __future__ import annotations

from typing import Any

MEDIUM, LARGE = "mistral-medium-latest", "mistral-large-latest"
WEB, CODE, IMAGE = (
    {"type": "web_search"},
    {"type": "code_interpreter"},
    {"type": "image_generation"},
)
# The judge answers in structured output: the winner's number and why.
VERDICT_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "verdict",
        "schema": {
            "type": "object",
            "properties": {"winner": {"type": "integer"}, "rationale": {"type": "string"}},
            "required": ["winner", "rationale"],
        },
    },
}


def _agent(name: str, model: str, instructions: str, tools=(), **args: Any) -> dict[str, Any]:
    index = len(_AGENTS)
    _AGENTS.append(
        {
            "name": name,
            "description": "",
            "instructions": instructions,
            "model": model,
            "tools": list(tools),
            "completion_args": args,
            "handoffs": [],
            "position": {"x": (index % 5) * 260, "y": (index // 5) * 160},
        }
    )
    return _AGENTS[-1]


_AGENTS: list[dict[str, Any]] = []
_agent(
    "Research Agent", MEDIUM, "Conduct thorough research. Cite sources. Be comprehensive.", [WEB]
)
_agent("Analysis Agent", LARGE, "Analyze data with statistical rigor. Create visualizations.")
_agent("Report Agent", MEDIUM, "Create professional, clear reports. Include executive summaries.")
_agent(
    "Request Classifier",
    MEDIUM,
    "Classify requests into categories:\n- TECHNICAL: Requires technical analysis\n"
    "- RESEARCH: Requires web research\n- CREATIVE: Requires creative content\n"
    "- DATA: Requires data analysis\n\nOutput: Single word classification",
)
_agent("Technical Specialist", LARGE, "Handle technical queries with code execution", [CODE])
_agent("Research Specialist", MEDIUM, "Handle research queries with web search", [WEB])
_agent("Creative Specialist", MEDIUM, "Handle creative requests with image generation", [IMAGE])
_agent("Data Specialist", LARGE, "Handle data analysis with code execution", [CODE])
_agent("Tech Researcher", MEDIUM, "Research technology trends. Focus on technical details.")
_agent("Market Researcher", MEDIUM, "Research market trends. Focus on business and economics.")
_agent("Academic Researcher", MEDIUM, "Research academic publications. Focus on peer-reviewed.")
_agent(
    "Research Synthesizer",
    LARGE,
    "You synthesize research from multiple sources.\nIdentify common themes, conflicts, and "
    "gaps.\nCreate comprehensive unified report.\nCite all sources from parallel researchers.",
)
_agent(
    "Conservative Analyst",
    MEDIUM,
    "You take a conservative, risk-averse approach.\nEmphasize safety, proven methods, and "
    "gradual change.\nHighlight potential risks and downsides.",
    temperature=0.2,
)
_agent(
    "Aggressive Analyst",
    MEDIUM,
    "You take an aggressive, innovative approach.\nEmphasize opportunities, disruption, and "
    "rapid change.\nHighlight potential benefits and upsides.",
    temperature=0.8,
)
_agent(
    "Balanced Analyst",
    MEDIUM,
    "You take a balanced, pragmatic approach.\nWeigh pros and cons equally.\nSeek middle-ground "
    "solutions.",
    temperature=0.5,
)
_agent(
    "Strategy Evaluator",
    LARGE,
    "You evaluate competing strategies.\nCompare approaches on multiple dimensions.\nRecommend "
    "best approach or hybrid solution.\nProvide clear rationale for recommendation.",
    response_format=VERDICT_FORMAT,
)
_agent("Code Worker", MEDIUM, "Execute code tasks assigned by manager. Report results clearly.")
_agent("Search Worker", MEDIUM, "Execute search tasks assigned by manager. Concise findings.")
_agent("Doc Worker", MEDIUM, "Retrieve document information assigned by manager. Quote sources.")
_agent(
    "Task Manager",
    LARGE,
    "You are a task manager coordinating worker agents.\nAvailable workers:\n"
    "- Code Worker: Executes code, performs calculations\n"
    "- Search Worker: Searches web for information\n"
    "- Doc Worker: Retrieves company documents\n\nFor each user request:\n"
    "1. Break down into subtasks\n2. Assign each subtask to appropriate worker\n"
    "3. Collect results from workers\n4. Synthesize final response",
)
_agent(
    "Task Decomposer",
    LARGE,
    "You decompose complex tasks into simpler subtasks.\nFor each task:\n1. Assess complexity\n"
    "2. If simple: mark as EXECUTABLE\n3. If complex: break into subtasks and mark as DECOMPOSE"
    "\n\nOutput format:\nTASK: [description]\nCOMPLEXITY: [SIMPLE/COMPLEX]\n"
    "ACTION: [EXECUTE/DECOMPOSE]\nSUBTASKS: [if decompose, list subtasks]",
)
_agent("Task Executor", MEDIUM, "Execute simple, well-defined tasks. Provide clear results.")


def _run(agent: str, template: str | None = None, **keys: Any) -> dict[str, Any]:
    step: dict[str, Any] = {"agent": agent, **keys}
    if template is not None:
        step["input"] = template
    return step


ORCHESTRATIONS: list[dict[str, Any]] = [
    {
        "name": "Research → analysis → report",
        "description": "The production example's linear pipeline, each step passing its state.",
        "spec": {
            "sequence": [
                _run("Research Agent", "Research: {input}", id="research"),
                _run(
                    "Analysis Agent",
                    "Analyze the research findings. Identify key trends and insights.\n\n"
                    "{previous}",
                    id="analysis",
                ),
                _run(
                    "Report Agent",
                    "Create comprehensive report with executive summary.\n\nResearch:\n"
                    "{steps.research}\n\nAnalysis:\n{steps.analysis}",
                ),
            ]
        },
    },
    {
        "name": "Conditional router",
        "description": "The classifier's label picks the specialist.",
        "spec": {
            "route": _run("Request Classifier", "Classify this request: {input}"),
            "routes": {
                "TECHNICAL": _run("Technical Specialist"),
                "RESEARCH": _run("Research Specialist"),
                "CREATIVE": _run("Creative Specialist"),
                "DATA": _run("Data Specialist"),
            },
        },
    },
    {
        "name": "Market analysis fan-out",
        "description": "Three researchers in parallel, one synthesis.",
        "spec": {
            "parallel": [
                _run(name, "Research {input} from your specialized perspective")
                for name in ("Tech Researcher", "Market Researcher", "Academic Researcher")
            ],
            "merge": _run("Research Synthesizer"),
        },
    },
    {
        "name": "Competitive strategy team",
        "description": "Three approaches; the evaluator names the winner.",
        "spec": {
            "compete": [
                _run(name, "Analyze this decision: {input}")
                for name in ("Conservative Analyst", "Aggressive Analyst", "Balanced Analyst")
            ],
            "judge": _run("Strategy Evaluator"),
        },
    },
    {
        "name": "Manager-worker",
        "description": "The manager plans subtasks for its workers, then synthesizes.",
        "spec": {
            "delegate": _run("Task Manager"),
            "workers": {
                "code": _run("Code Worker"),
                "search": _run("Search Worker"),
                "doc": _run("Doc Worker"),
            },
            "synthesize": _run("Task Manager"),
            "max_subtasks": 4,
        },
    },
    {
        "name": "Recursive decomposition",
        "description": "Split until simple (at most two levels), execute the parts.",
        "spec": {
            "recurse": _run("Task Decomposer"),
            "execute": _run("Task Executor"),
            "max_depth": 2,
        },
    },
    {
        "name": "Research with retries and a fallback",
        "description": "Error handling: two attempts, then the report agent answers instead.",
        "spec": _run(
            "Research Agent",
            retry={"attempts": 2, "backoff_s": 1},
            timeout_s=120,
            fallback=_run("Report Agent", "Research could not finish; summarise: {input}"),
        ),
    },
]

ORCHESTRATION_GUIDE: dict[str, Any] = {
    "format": "agentstudio.graph",
    "version": 1,
    "name": "Orchestration patterns",
    "description": "The orchestration guide's agents and its patterns as orchestrations.",
    "entry_agent": "Research Agent",
    "agents": _AGENTS,
    "orchestrations": ORCHESTRATIONS,
}
