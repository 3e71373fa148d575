"""The reply policy: what the sandbox says for one turn, given the conversation so far.

Pure computation (no database): the engine hands in the history, the active agent and a way to
look agents up, and gets back the turn's outputs, the agent active afterwards and any files.

Per step, the active agent (in this order):
1. plays a matching scenario (see scenarios.py), if one matched when the user's message arrived;
2. calls its best-matching user function, unless a handoff target matches the request better
   (the turn ends there: the client must append the `function.result`);
3. runs each of its built-in tools once per request (code_interpreter draws a real PNG chart);
4. hands off to the best-matching target among its `handoffs` not yet visited for this request;
5. otherwise answers: JSON for a `json_schema` response format, else a sentence that says it is
   the sandbox and names the agent and model, using function results when it has some.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from sandbox import patterns, scenarios, wire
from sandbox.arguments import function_arguments, json_for_schema
from sandbox.charts import GrowthChart, generated_image
from sandbox.history import current_segment, entry_text, find_rate, find_years, request_text
from sandbox.libraries import library_chunks
from sandbox.specs import AgentLookup, AgentSpec, LibrarySearch, NewFile, PolicyError, TurnResult
from sandbox.text import best_match, stems, word_count

Entry = wire.Entry
ROUTE_THRESHOLD = 1.0
FUNCTION_THRESHOLD = 1.0
MAX_STEPS = 12


# ---- the turn -------------------------------------------------------------------------------


class Turn:
    def __init__(
        self,
        history: list[Entry],
        active: AgentSpec,
        lookup: AgentLookup,
        handoff_execution: str = "server",
        scenario_state: dict[str, Any] | None = None,
        library_search: LibrarySearch | None = None,
    ) -> None:
        self.library_search = library_search
        self.history = history
        self.agent = active
        self.lookup = lookup
        self.client_handoffs = handoff_execution == "client"
        self.scenario_state = scenario_state
        self.outputs: list[Entry] = []
        self.files: list[NewFile] = []
        self.connectors: dict[str, int] = {}
        self.request = request_text(history)
        self.request_stems = stems(self.request)

    # -- the loop

    def run(self) -> TurnResult:
        if self.history and self.history[-1].get("type") == "message.input":
            # A new user message: a scenario may take over from here, or not at all.
            self.scenario_state = None
            found = scenarios.match(self.agent.name, self.request)
            if found:
                self.scenario_state = {"key": found.key, "turn": 0, "offset": 0}
        if self.scenario_state and self._play_scenario():
            return self._result()
        for _ in range(MAX_STEPS):
            if self._step():
                break
        return self._result()

    def _step(self) -> bool:
        """One action of the active agent; True when the turn ends."""
        agent = self.agent
        segment = current_segment(self.history + self.outputs)
        visited = self._visited(segment)
        tool_choice = agent.completion_args.get("tool_choice") or "auto"
        called = {
            e["name"] for e in segment if e["type"] == "function.call" and e["agent_id"] == agent.id
        }
        functions = [] if tool_choice == "none" else agent.functions()
        fn, fn_score = best_match(
            self.request_stems,
            (
                (f["name"], f["name"], f.get("description"))
                for f in functions
                if f["name"] not in called
            ),
            FUNCTION_THRESHOLD,
        )
        if isinstance(tool_choice, dict):  # {"type": "function", "function": {"name": ...}}
            named = (tool_choice.get("function") or {}).get("name")
            if named in {f["name"] for f in functions} and named not in called:
                fn, fn_score = named, float("inf")
        elif fn is None and tool_choice in ("any", "required") and not called and functions:
            fn = functions[0]["name"]  # a forced tool choice calls something, match or not
        targets = [t for t in (self.lookup(i) for i in agent.handoffs if i not in visited) if t]
        target_id, route_score = best_match(
            self.request_stems,
            ((t.id, t.name, t.description) for t in targets),
            ROUTE_THRESHOLD,
        )
        if fn is not None and (target_id is None or fn_score >= route_score):
            self._function_call(next(f for f in functions if f["name"] == fn))
            return True
        ran = {
            e["name"]
            for e in segment
            if e["type"] == "tool.execution" and e["agent_id"] == agent.id
        }
        pending_builtins = [t for t in agent.builtins() if t["type"] not in ran]
        if pending_builtins and tool_choice != "none":
            self._run_builtins(pending_builtins, segment)
            return False
        if target_id is not None:
            target = next(t for t in targets if t.id == target_id)
            self._handoff(target)
            return self.client_handoffs
        last = self.outputs[-1] if self.outputs else None
        fmt = agent.completion_args.get("response_format") or {}
        # A JSON response format is honoured after built-in tools too: the final message is JSON.
        wants_json = isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object")
        mine = last and last["type"] == "message.output" and last.get("agent_id") == agent.id
        if wants_json or not mine:
            self._answer(segment)
        return True

    def _visited(self, segment: list[Entry]) -> set[str | None]:
        visited: set[str | None] = {self.agent.id}
        for entry in segment:
            if entry["type"] == "agent.handoff":
                visited |= {entry["previous_agent_id"], entry["next_agent_id"]}
        return visited

    # -- actions

    def _emit(self, entry: Entry) -> Entry:
        self.outputs.append(entry)
        return entry

    def _function_call(self, function: dict[str, Any]) -> None:
        args = function_arguments(function.get("parameters"), self.request)
        self._emit(
            wire.function_call(function["name"], json.dumps(args), self.agent.id, self.agent.model)
        )

    def _handoff(self, target: AgentSpec) -> None:
        self._emit(
            wire.agent_handoff(
                (self.agent.id or "", self.agent.name), (target.id or "", target.name)
            )
        )
        self.agent = target

    def _run_builtins(self, tools: list[dict[str, Any]], segment: list[Entry]) -> None:
        chunks: list[dict[str, Any]] = []
        for tool in tools:
            kind = tool["type"]
            self.connectors[kind] = self.connectors.get(kind, 0) + 1
            if kind == "code_interpreter":
                chunks += self._code_interpreter()
            elif kind == "image_generation":
                chunks += self._image_generation()
            else:
                chunks += self._reference_tool(kind, tool)
        self._emit(wire.message_output(chunks, self.agent.id, self.agent.model))

    def _code_interpreter(self) -> list[dict[str, Any]]:
        chart = GrowthChart(find_rate(self.history + self.outputs), find_years(self.request))
        code = chart.code()
        # Like the guide's transcript: say what will be computed, run it, then show the file.
        plan = (
            f"Sandbox plan from {self.agent.name}: compound {chart.principal:g} at "
            f"{chart.rate_percent:g}% per year over {chart.years} years, then plot it."
        )
        self._emit(wire.message_output(plan, self.agent.id, self.agent.model))
        self._emit(
            wire.tool_execution(
                "code_interpreter",
                json.dumps({"code": code}),
                {"code": code, "code_output": chart.output()},
                self.agent.id,
                self.agent.model,
            )
        )
        file = self._add_file(chart.png(), "plot_0.png")
        final = chart.values()[-1]
        return [
            {"type": "tool_file", "tool": "code_interpreter", "file_id": file.id,
             "file_name": "plot_0.png", "file_type": "png"},
            {"type": "text", "text": (
                f"Sandbox chart by {self.agent.name} ({self.agent.model}): {chart.principal:g} "
                f"compounded at {chart.rate_percent:g}% per year for {chart.years} years "
                f"grows to {final:,.2f}.")},
        ]  # fmt: skip

    def _image_generation(self) -> list[dict[str, Any]]:
        prompt = self.request or "an image"
        self._emit(
            wire.tool_execution(
                "image_generation",
                json.dumps({"prompt": prompt}),
                {},
                self.agent.id,
                self.agent.model,
            )
        )
        file = self._add_file(generated_image(prompt), "image_generated_0")
        return [
            {"type": "tool_file", "tool": "image_generation", "file_id": file.id,
             "file_name": "image_generated_0", "file_type": "png"},
            {"type": "text", "text": f"Sandbox image generated by {self.agent.name}."},
        ]  # fmt: skip

    def _reference_tool(self, kind: str, tool: dict[str, Any]) -> list[dict[str, Any]]:
        query = self.request[:200]
        args: dict[str, Any] = {"query": query}
        if kind == "document_library":
            args["library_ids"] = tool.get("library_ids") or []
        self._emit(wire.tool_execution(kind, json.dumps(args), {}, self.agent.id, self.agent.model))
        if kind == "document_library" and self.library_search is not None:
            missing, found = self.library_search(args["library_ids"], query)
            return library_chunks(missing, found, query)
        where = "document library" if kind == "document_library" else "web search"
        url = "https://sandbox.invalid/" + ("library" if kind == "document_library" else "search")
        return [
            {"type": "text", "text": f"Sandbox {where} result for \u201c{query}\u201d "},
            {"type": "tool_reference", "tool": kind,
             "title": f"Sandbox {where} result (not a real source)",
             "url": f"{url}?q={urllib.parse.quote(query[:80])}",
             "description": "Produced by the Agent Studio sandbox; no network was used."},
            {"type": "text", "text": "."},
        ]  # fmt: skip

    def _answer(self, segment: list[Entry]) -> None:
        agent = self.agent
        results = self._results_of(agent, segment)
        sentence = f"Sandbox reply from {agent.name} ({agent.model})"
        if results:
            sentence += ": " + "; ".join(f"{name} returned {result}" for name, result in results)
        else:
            sentence += f" to \u201c{self.request[:120]}\u201d" if self.request else ""
        sentence += "."
        fmt = agent.completion_args.get("response_format") or {}
        role_reply = None if results else patterns.reply(agent.instructions or "", self.request)
        if role_reply is not None:  # an orchestration role (patterns.py): its answer, as is
            content = role_reply
        elif isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
            content = json.dumps(json_for_schema(schema, self.request, sentence))
        elif isinstance(fmt, dict) and fmt.get("type") == "json_object":
            content = json.dumps({"answer": sentence, "source": "sandbox"})
        else:
            content = sentence
        self._emit(wire.message_output(content, agent.id, agent.model))

    def _results_of(self, agent: AgentSpec, segment: list[Entry]) -> list[tuple[str, str]]:
        calls = {
            e["tool_call_id"]: e["name"]
            for e in segment
            if e["type"] == "function.call" and e.get("agent_id") == agent.id
        }
        return [
            (calls[e["tool_call_id"]], e["result"])
            for e in segment
            if e["type"] == "function.result" and e["tool_call_id"] in calls
        ]

    def _add_file(self, content: bytes, filename: str) -> NewFile:
        file = NewFile(id=wire.new_file_id(), filename=filename, content=content)
        self.files.append(file)
        return file

    # -- scenarios

    def _play_scenario(self) -> bool:
        """Emit the scenario's current turn; False if it has no turn left (the policy goes on)."""
        state = self.scenario_state or {}
        scenario = scenarios.by_key(state.get("key", ""))
        turn, offset = int(state.get("turn", 0)), int(state.get("offset", 0))
        if scenario is None or turn >= len(scenario.turns):
            self.scenario_state = None
            return False
        items = scenario.turns[turn]
        for index in range(offset, len(items)):
            self._scripted(items[index])
            handoff = items[index]["type"] == "agent.handoff"
            if handoff and self.client_handoffs and index + 1 < len(items):
                self.scenario_state = {"key": scenario.key, "turn": turn, "offset": index + 1}
                return True
        self.scenario_state = {"key": scenario.key, "turn": turn + 1, "offset": 0}
        return True

    def _scripted(self, item: dict[str, Any]) -> None:
        agent = self.agent
        kind = item["type"]
        if kind == "agent.handoff":
            name = item.get("to") or item.get("next_agent_name")
            targets = [t for t in (self.lookup(i) for i in agent.handoffs) if t]
            target = next((t for t in targets if t.name == name or t.id == name), None)
            if target is None:
                raise PolicyError(
                    f"scenario hands off from {agent.name} to unknown target {name!r}"
                )
            self._handoff(target)
        elif kind == "tool.execution":
            name = str(item.get("name") or "web_search")
            self.connectors[name] = self.connectors.get(name, 0) + 1
            args = item.get("arguments", "")
            self._emit(
                wire.tool_execution(
                    name,
                    args if isinstance(args, str) else json.dumps(args),
                    dict(item.get("info") or {}),
                    agent.id,
                    agent.model,
                )
            )
        elif kind == "function.call":
            args = item.get("arguments", {})
            self._emit(
                wire.function_call(
                    str(item["name"]),
                    args if isinstance(args, str) else json.dumps(args),
                    agent.id,
                    agent.model,
                )
            )
        else:
            content = item.get("content", "")
            if isinstance(content, list):
                content = [self._scripted_chunk(dict(c)) for c in content]
            self._emit(wire.message_output(content, agent.id, agent.model))

    def _scripted_chunk(self, chunk: dict[str, Any]) -> dict[str, Any]:
        """A `tool_file` chunk without a `file_id` gets a freshly drawn chart (or image)."""
        if chunk.get("type") != "tool_file" or chunk.get("file_id"):
            return chunk
        name = chunk.get("file_name") or "plot_0.png"
        if chunk.get("tool") == "image_generation":
            content = generated_image(self.request)
        else:
            rate = chunk.pop("rate", None)
            chart = GrowthChart(
                float(rate) if rate is not None else find_rate(self.history + self.outputs),
                int(chunk.pop("years", 0) or find_years(self.request)),
            )
            content = chart.png()
        file = self._add_file(content, name)
        return (
            {"tool": "code_interpreter", "file_type": "png", "file_name": name}
            | chunk
            | {"file_id": file.id}
        )

    # -- result

    def _result(self) -> TurnResult:
        prompt = sum(word_count(entry_text(e)) for e in self.history)
        prompt += word_count(self.agent.instructions or "")
        completion = sum(word_count(entry_text(e)) for e in self.outputs)
        return TurnResult(
            outputs=self.outputs,
            active_agent_id=self.agent.id,
            files=self.files,
            scenario=self.scenario_state,
            usage=wire.usage(prompt, completion, self.connectors),
        )


def run_turn(
    history: list[Entry],
    active: AgentSpec,
    lookup: AgentLookup,
    handoff_execution: str = "server",
    scenario_state: dict[str, Any] | None = None,
    library_search: LibrarySearch | None = None,
) -> TurnResult:
    return Turn(history, active, lookup, handoff_execution, scenario_state, library_search).run()
