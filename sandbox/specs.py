"""The policy's vocabulary: the agent it plays, the files it makes, what a turn returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox import wire

Entry = wire.Entry
BUILTIN_TOOLS = ("web_search", "web_search_premium", "document_library", "code_interpreter",
                 "image_generation")  # fmt: skip


class PolicyError(RuntimeError):
    """The turn cannot be produced (e.g. a scenario hands off to an agent that is not a target)."""


@dataclass
class AgentSpec:
    """One agent version as the policy needs it; model conversations use `id=None`."""

    id: str | None
    name: str
    model: str
    description: str | None = None
    instructions: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    completion_args: dict[str, Any] = field(default_factory=dict)
    handoffs: list[str] = field(default_factory=list)

    @classmethod
    def from_config(cls, agent_id: str | None, config: dict[str, Any]) -> AgentSpec:
        return cls(
            id=agent_id,
            name=config.get("name") or config.get("model") or "agent",
            model=config.get("model") or "mistral-medium-latest",
            description=config.get("description"),
            instructions=config.get("instructions"),
            tools=list(config.get("tools") or []),
            completion_args=dict(config.get("completion_args") or {}),
            handoffs=list(config.get("handoffs") or []),
        )

    def functions(self) -> list[dict[str, Any]]:
        return [
            t["function"]
            for t in self.tools
            if t.get("type") == "function" and isinstance(t.get("function"), dict)
        ]

    def builtins(self) -> list[dict[str, Any]]:
        return [t for t in self.tools if t.get("type") in BUILTIN_TOOLS]


@dataclass
class NewFile:
    id: str
    filename: str
    content: bytes
    mimetype: str = "image/png"


@dataclass
class TurnResult:
    outputs: list[Entry]
    active_agent_id: str | None
    files: list[NewFile]
    scenario: dict[str, Any] | None
    usage: dict[str, Any]


AgentLookup = Callable[[str], AgentSpec | None]
# (library ids, request) → (ids that do not exist, [(library, document, snippet)] best first)
LibrarySearch = Callable[[list[str], str], tuple[list[str], list[tuple[str, str, str]]]]
