"""The one place that knows what a valid agent and a healthy graph look like.

Used by the services (so the API, the admin and the import all share it). Field checks return
`{"<field path>": ["message", ...]}` dictionaries, empty when valid; nested paths look like
`tools[0].function.parameters` so a client can point at the exact input.

Rules follow Mistral's agent object (reference/mistral-api.md §2) and the ranges Mistral documents
for completion arguments. One module per job: `common` (shared checkers and limits), `tools`,
`completion_args`, `agent` (a whole agent and its handoffs) and `graph` (graph health); callers
use the names re-exported here.
"""

from agents.validation.agent import (
    AGENT_CONFIG_FIELDS,
    agent_config_errors,
    handoff_errors,
    model_errors,
    position_errors,
)
from agents.validation.common import (
    FUNCTION_NAME_RE,
    MAX_JSON_CHARS,
    MAX_JSON_DEPTH,
    MAX_POSITION,
    MODEL_RE,
    json_depth,
    json_schema_errors,
)
from agents.validation.completion_args import (
    COMPLETION_ARG_KEYS,
    INTEGER_MINIMUMS,
    MAX_STOP_SEQUENCES,
    NUMBER_RANGES,
    REASONING_EFFORTS,
    RESPONSE_FORMAT_TYPES,
    TOOL_CHOICES,
    completion_args_errors,
)
from agents.validation.graph import GraphNode, graph_report
from agents.validation.tools import (
    BUILTIN_TOOL_TYPES,
    MAX_LIBRARY_IDS,
    MAX_TOOLS,
    TOOL_CONFIGURATION_KEYS,
    TOOL_TYPES,
    tools_errors,
)
from workspaces.validation import CONTROL_CHARS_RE, Errors, name_errors

__all__ = [
    "AGENT_CONFIG_FIELDS",
    "BUILTIN_TOOL_TYPES",
    "COMPLETION_ARG_KEYS",
    "CONTROL_CHARS_RE",
    "FUNCTION_NAME_RE",
    "INTEGER_MINIMUMS",
    "MAX_JSON_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_LIBRARY_IDS",
    "MAX_POSITION",
    "MAX_STOP_SEQUENCES",
    "MAX_TOOLS",
    "MODEL_RE",
    "NUMBER_RANGES",
    "REASONING_EFFORTS",
    "RESPONSE_FORMAT_TYPES",
    "TOOL_CHOICES",
    "TOOL_CONFIGURATION_KEYS",
    "TOOL_TYPES",
    "Errors",
    "GraphNode",
    "agent_config_errors",
    "completion_args_errors",
    "graph_report",
    "handoff_errors",
    "json_depth",
    "json_schema_errors",
    "model_errors",
    "name_errors",
    "position_errors",
    "tools_errors",
]
