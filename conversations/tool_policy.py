"""Approval policies for the tools the worker runs itself (Python-registered, MCP), after the
permission policies of Mistral's Agents SDK: rules tried in order, the first that matches
decides (`allow`, `ask` or `deny`), else the policy's `default` (`allow` when unset).

    {"default": "allow",
     "rules": [{"tools": ["convert_*"], "arguments": ["*GBP*"], "decision": "deny"},
               {"tools": ["*"], "decision": "ask"}]}

`tools` are glob patterns over the tool's name; `arguments` (optional) glob patterns over the
call's arguments as compact JSON text (`{"amount":5,"currency":"GBP"}`), case-insensitive: a
rule with `arguments` matches when any of them does.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

DECISIONS = ("allow", "ask", "deny")
MAX_RULES = 50
MAX_PATTERNS = 20


class PolicyInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _patterns(field: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > MAX_PATTERNS:
        raise PolicyInvalid(field, f"A list of 1 to {MAX_PATTERNS} glob patterns.")
    if not all(isinstance(p, str) and p and len(p) <= 500 for p in value):
        raise PolicyInvalid(field, "Each pattern is a non-empty string of at most 500 characters.")
    return value


def clean_policy(policy: Any) -> dict[str, Any]:
    """The policy as stored, or PolicyInvalid naming the field at fault."""
    if not isinstance(policy, dict):
        raise PolicyInvalid("tool_policy", "An object with `rules` and `default`.")
    unknown = sorted(set(policy) - {"rules", "default"})
    if unknown:
        raise PolicyInvalid(f"tool_policy.{unknown[0]}", "Unknown key.")
    default = policy.get("default", "allow")
    if default not in DECISIONS:
        raise PolicyInvalid("tool_policy.default", f"One of {', '.join(DECISIONS)}.")
    rules = policy.get("rules", [])
    if not isinstance(rules, list) or len(rules) > MAX_RULES:
        raise PolicyInvalid("tool_policy.rules", f"A list of at most {MAX_RULES} rules.")
    cleaned = []
    for index, rule in enumerate(rules):
        where = f"tool_policy.rules.{index}"
        if not isinstance(rule, dict):
            raise PolicyInvalid(where, "A rule is an object.")
        unknown = sorted(set(rule) - {"tools", "arguments", "decision"})
        if unknown:
            raise PolicyInvalid(f"{where}.{unknown[0]}", "Unknown key.")
        if rule.get("decision") not in DECISIONS:
            raise PolicyInvalid(f"{where}.decision", f"One of {', '.join(DECISIONS)}.")
        out = {
            "tools": _patterns(f"{where}.tools", rule.get("tools")),
            "decision": rule["decision"],
        }
        if "arguments" in rule:
            out["arguments"] = _patterns(f"{where}.arguments", rule["arguments"])
        cleaned.append(out)
    return {"default": default, "rules": cleaned}


def decide(policy: dict[str, Any] | None, tool: str, arguments: dict[str, Any]) -> str:
    """`allow`, `ask` or `deny` for this call: the first matching rule's, else the default."""
    policy = policy or {}
    text = json.dumps(arguments, separators=(",", ":"), sort_keys=True).lower()
    for rule in policy.get("rules") or []:
        if not any(fnmatch.fnmatchcase(tool, p) for p in rule.get("tools") or []):
            continue
        patterns = rule.get("arguments")
        if patterns and not any(fnmatch.fnmatchcase(text, p.lower()) for p in patterns):
            continue
        return rule["decision"]
    return policy.get("default") or "allow"


def refusal(tool: str, how: str) -> str:
    """The result the model reads when a call was not run."""
    return json.dumps({"error": f"The call to {tool} was not run: {how}."})
