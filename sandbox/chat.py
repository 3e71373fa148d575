"""The chat-completion reply policy: what the sandbox answers to `POST /v1/chat/completions`.

Pure computation (no database). It is the conversations policy (policy.py) read off a message
list, so a graph run by a client on chat completions (one system prompt and tool list per agent,
one `transfer_to_<agent>` function per handoff edge) routes exactly as the Conversations API run:

1. the request is the latest user message; what follows it is what was done for it;
2. the best-matching function not yet called since the latest transfer is called (several at
   once when `parallel_tool_calls` allows and several match), unless a transfer tool matches
   the request better — transfer tools are scored on the target's name and description, as
   handoffs are;
3. a transfer goes to the best-matching target not yet visited for this request;
4. otherwise it answers: JSON for a `json_schema` / `json_object` response format, else a
   sentence that says it is the sandbox, using the tool results of this agent when it has some.

`tool_choice` `none` offers no tool, `any`/`required` forces one, a named function forces that one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox import wire
from sandbox.arguments import function_arguments, json_for_schema
from sandbox.errors import ApiError
from sandbox.history import content_text
from sandbox.policy import FUNCTION_THRESHOLD, ROUTE_THRESHOLD
from sandbox.text import best_match, overlap_score, stems, word_count

TRANSFER_PREFIX = "transfer_to_"
ROLES = ("system", "user", "assistant", "tool")
TOOL_CHOICES = ("auto", "none", "any", "required")


@dataclass
class ChatReply:
    model: str
    content: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"


def _invalid(loc: list[Any], message: str, kind: str = "value_error") -> ApiError:
    return ApiError(wire.validation_error(["body", *loc], message, kind))


def check_request(body: dict[str, Any]) -> None:
    """Refuse what the real API refuses (422, naming the field) before any work."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise _invalid(["model"], "Field required", "missing")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _invalid(["messages"], "Field required (a non-empty list)", "missing")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise _invalid(["messages", index, "role"], f"Input should be one of {ROLES}")
        if message["role"] == "tool" and not message.get("tool_call_id"):
            raise _invalid(["messages", index, "tool_call_id"], "Field required", "missing")
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise _invalid(["tools"], "Input should be a list")
        for index, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(function, dict) or not function.get("name"):
                raise _invalid(["tools", index, "function", "name"], "Field required", "missing")
    choice = body.get("tool_choice")
    if choice is not None and choice not in TOOL_CHOICES:
        named = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
        if not named:
            raise _invalid(["tool_choice"], f"Input should be one of {TOOL_CHOICES} or a function")
    fmt = body.get("response_format")
    if fmt is not None and (
        not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object", "json_schema")
    ):
        message = "Input should be text, json_object or json_schema"
        raise _invalid(["response_format", "type"], message)


def _segment(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The latest user message's text, and the messages after it."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "user":
            return content_text(messages[index].get("content")), messages[index + 1 :]
    return "", list(messages)


def _calls(segment: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for message in segment:
        if message.get("role") == "assistant":
            out += [c for c in message.get("tool_calls") or [] if isinstance(c, dict)]
    return out


def _name(call: dict[str, Any]) -> str:
    return str((call.get("function") or {}).get("name") or "")


class ChatTurn:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.model = body["model"]
        self.messages: list[dict[str, Any]] = body["messages"]
        self.request, self.segment = _segment(self.messages)
        self.request_stems = stems(self.request)
        tools = [t["function"] for t in body.get("tools") or []]
        self.functions = [f for f in tools if not f["name"].startswith(TRANSFER_PREFIX)]
        self.transfers = [f for f in tools if f["name"].startswith(TRANSFER_PREFIX)]

    def _since_transfer(self) -> list[dict[str, Any]]:
        """The calls of the agent now answering: those after the latest transfer."""
        calls = _calls(self.segment)
        last = max((i for i, c in enumerate(calls) if _name(c).startswith(TRANSFER_PREFIX)),
                   default=-1)  # fmt: skip
        return calls[last + 1 :]

    def reply(self) -> ChatReply:
        choice = self.body.get("tool_choice") or "auto"
        functions = [] if choice == "none" else self.functions
        transfers = [] if choice == "none" else self.transfers
        mine = self._since_transfer()
        called = {_name(c) for c in mine}
        visited = {_name(c) for c in _calls(self.segment) if _name(c).startswith(TRANSFER_PREFIX)}
        open_functions = [f for f in functions if f["name"] not in called]
        scored = sorted(
            ((overlap_score(self.request_stems, f["name"], f.get("description")), i, f)
             for i, f in enumerate(open_functions)),
            key=lambda s: (-s[0], s[1]),
        )  # fmt: skip
        matching = [f for score, _, f in scored if score >= FUNCTION_THRESHOLD]
        fn_score = scored[0][0] if matching else 0.0
        targets = [t for t in transfers if t["name"] not in visited]
        target, route_score = best_match(
            self.request_stems,
            ((t["name"], t["name"][len(TRANSFER_PREFIX) :], t.get("description")) for t in targets),
            ROUTE_THRESHOLD,
        )
        if isinstance(choice, dict):
            named = (choice.get("function") or {}).get("name")
            forced = next((f for f in [*functions, *transfers] if f["name"] == named), None)
            if forced is not None and named not in called and named not in visited:
                return self._call([forced])
        elif choice in ("any", "required") and not matching and target is None and not mine:
            offered = [*functions, *transfers]
            if offered:  # a forced tool choice calls something, match or not
                return self._call(offered[:1])
        if matching and (target is None or fn_score >= route_score):
            parallel = self.body.get("parallel_tool_calls") is not False
            return self._call(matching if parallel else matching[:1])
        if target is not None:
            return self._call([next(t for t in targets if t["name"] == target)])
        return self._answer(mine)

    def _call(self, functions: list[dict[str, Any]]) -> ChatReply:
        calls = []
        for index, function in enumerate(functions):
            transfer = function["name"].startswith(TRANSFER_PREFIX)
            args = {} if transfer else function_arguments(function.get("parameters"), self.request)
            calls.append({
                "id": wire.new_tool_call_id(),
                "type": "function",
                "index": index,
                "function": {"name": function["name"], "arguments": json.dumps(args)},
            })  # fmt: skip
        return self._reply("", calls)

    def _answer(self, mine: list[dict[str, Any]]) -> ChatReply:
        names = {c.get("id"): _name(c) for c in mine}
        results = [
            (names[m["tool_call_id"]], content_text(m.get("content")))
            for m in self.segment
            if m.get("role") == "tool" and m.get("tool_call_id") in names
        ]
        sentence = f"Sandbox reply from {self.model}"
        if results:
            sentence += ": " + "; ".join(f"{name} returned {result}" for name, result in results)
        elif self.request:
            sentence += f" to \u201c{self.request[:120]}\u201d"
        sentence += "."
        fmt = self.body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
            content = json.dumps(json_for_schema(schema, self.request, sentence))
        elif fmt.get("type") == "json_object":
            content = json.dumps({"answer": sentence, "source": "sandbox"})
        else:
            content = sentence
        return self._reply(content, [])

    def _reply(self, content: str, calls: list[dict[str, Any]]) -> ChatReply:
        prompt = sum(word_count(content_text(m.get("content"))) for m in self.messages)
        completion = word_count(content) + sum(
            word_count(c["function"]["arguments"]) + 1 for c in calls
        )
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        return ChatReply(model=self.model, content=content, tool_calls=calls, usage=usage)


def chat_reply(body: dict[str, Any]) -> ChatReply:
    check_request(body)
    return ChatTurn(body).reply()
