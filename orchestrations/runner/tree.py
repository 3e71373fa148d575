"""One pass of the runner over a run's tree: what is done, what can start now, what waits.

The pass walks the spec from the root with the step rows as its memory. A node with a finished
row gives its recorded output without running again (so a pass after a crash, a duplicate pass or
a late one never repeats a finished step); a node without a row gets one and starts; an agent
node's progress is its conversation's status. The pass never waits: agent steps run as their
conversations' turns on the workers, and the end of a turn triggers the next pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agents.models import Agent
from conversations.errors import ConversationError
from conversations.models import Entry
from conversations.models import Status as ConversationStatus
from conversations.services import MAX_INPUT_CHARS, conversation_start
from orchestrations.models import OPEN_STATUSES, OrchestrationRun, RunStep, Status
from orchestrations.runner import reading
from orchestrations.services import steps as writes
from orchestrations.spec import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_SUBTASKS,
    MAX_RUN_STEPS,
    kind_of,
)

RUN_KEY = "orchestration_run"  # in a step conversation's metadata: the hook finds the run by it
STEP_KEY = "orchestration_step"


@dataclass(frozen=True)
class Outcome:
    state: str  # done | failed | pending
    output: str = ""
    error: str = ""


PENDING = Outcome("pending")


def done(output: str) -> Outcome:
    return Outcome("done", output=output)


def failed(error: str) -> Outcome:
    return Outcome("failed", error=error)


def _label(node: dict[str, Any]) -> str:
    return str(node.get("id") or node.get("agent") or kind_of(node))


class Pass:
    def __init__(self, run: OrchestrationRun, now: datetime) -> None:
        self.run = run
        self.now = now
        self.steps = {
            step.path: step
            for step in RunStep.objects.filter(run=run).select_related("conversation")
        }
        self.agents = {agent.name: agent for agent in Agent.objects.filter(graph=run.graph_id)}
        self.named = {
            step.detail["id"]: step.output
            for step in self.steps.values()
            if step.status == Status.COMPLETED and step.detail.get("id")
        }
        self.wake_at: list[datetime] = []

    # -- any node: its row, retries, timeout and fallback

    def node(self, node: dict[str, Any], path: str, incoming: str) -> Outcome:
        outcome = self._attempted(node, path, incoming)
        if outcome.state == "failed" and isinstance(node.get("fallback"), dict):
            return self.node(node["fallback"], f"{path}.fallback", incoming)
        return outcome

    def _attempted(self, node: dict[str, Any], path: str, incoming: str) -> Outcome:
        kind = kind_of(node)
        step = self.steps.get(path)
        if step is None:
            if len(self.steps) >= MAX_RUN_STEPS:
                return failed(f"The run would exceed {MAX_RUN_STEPS} steps.")
            detail = {"id": node["id"]} if node.get("id") else {}
            step = writes.step_create(
                run=self.run,
                path=path,
                kind=kind,
                agent_name=node.get("agent", ""),
                detail=detail,
                now=self.now,
            )
            self.steps[path] = step
        if step.status == Status.COMPLETED:
            return done(step.output)
        if step.status not in OPEN_STATUSES:
            return failed(step.error or "The step was cancelled.")
        if step.retry_at and step.retry_at > self.now:
            self.wake_at.append(step.retry_at)
            return PENDING
        scope = path if step.attempt == 1 else f"{path}@{step.attempt}"
        timeout = node.get("timeout_s")
        deadline = (
            step.attempt_started_at + _seconds(timeout)
            if timeout and step.attempt_started_at
            else None
        )
        if deadline and deadline <= self.now:
            writes.conversation_stop(run=self.run, conversation=step.conversation)
            outcome = failed(f"Timed out after {timeout:g} s.")
        else:
            outcome = getattr(self, f"_{kind}")(node, step, scope, incoming)
            if outcome.state == "pending" and deadline:
                self.wake_at.append(deadline)
        if outcome.state == "done":
            writes.step_finish(step=step, output=outcome.output, now=self.now)
            if node.get("id"):
                self.named[node["id"]] = outcome.output
            return outcome
        if outcome.state == "failed":
            self.stop_under(scope, f"Stopped: {path} failed.")
            retry = node.get("retry") or {}
            if step.attempt < retry.get("attempts", 1):
                delay = float(retry.get("backoff_s", 0)) * 2 ** (step.attempt - 1)
                writes.step_retry(step=step, error=outcome.error, delay_s=delay, now=self.now)
                if delay:
                    self.wake_at.append(step.retry_at)
                    return PENDING
                return self._attempted(node, path, incoming)
            writes.step_fail(step=step, error=outcome.error, now=self.now)
        return outcome

    def stop_under(self, scope: str, reason: str) -> None:
        open_steps = [
            step
            for path, step in self.steps.items()
            if path.startswith(scope + ".") or path.startswith(scope + "@")
        ]
        writes.steps_stop(run=self.run, steps=open_steps, reason=reason, now=self.now)

    # -- the kinds

    def _agent(self, node: dict, step: RunStep, scope: str, incoming: str) -> Outcome:
        conversation = step.conversation
        if conversation is None:
            agent = self.agents.get(node["agent"])
            if agent is None:
                return failed(f"The graph has no agent named {node['agent']!r} any more.")
            text = reading.render(
                node.get("input", "{previous}"),
                run_input=self.run.inputs,
                previous=incoming,
                steps=self.named,
            )[:MAX_INPUT_CHARS]
            metadata = {
                **node.get("metadata", {}),
                RUN_KEY: str(self.run.pk),
                STEP_KEY: step.path,
            }
            try:
                conversation = conversation_start(
                    actor=self.run.started_by, agent=agent, inputs=text, metadata=metadata
                )
            except ConversationError as exc:
                return failed(str(exc))
            writes.step_conversation_started(
                step=step, conversation=conversation, agent=agent, text=text
            )
            return PENDING
        status = conversation.status
        if status in (ConversationStatus.QUEUED, ConversationStatus.RUNNING):
            writes.step_set_status(step=step, status=Status.RUNNING)
            return PENDING
        if status == ConversationStatus.AWAITING_INPUT:
            writes.step_set_status(step=step, status=Status.AWAITING_INPUT)
            return PENDING
        if status == ConversationStatus.COMPLETED:
            return done(_last_output(conversation))
        if status == ConversationStatus.CANCELLED:
            return failed("The step's conversation was cancelled.")
        return failed(conversation.error or "The step's conversation failed.")

    def _all(self, nodes: list[tuple[dict, str, str]]) -> tuple[list[Outcome], Outcome | None]:
        """Every branch advanced in the same pass, so they start (and run) together."""
        outcomes = [self.node(node, path, text) for node, path, text in nodes]
        first_failure = next((o for o in outcomes if o.state == "failed"), None)
        if first_failure:
            return outcomes, first_failure
        if any(o.state == "pending" for o in outcomes):
            return outcomes, PENDING
        return outcomes, None

    def _sequence(self, node: dict, step: RunStep, scope: str, incoming: str) -> Outcome:
        previous = incoming
        for index, child in enumerate(node["sequence"]):
            outcome = self.node(child, f"{scope}.sequence[{index}]", previous)
            if outcome.state != "done":
                return outcome
            previous = outcome.output
        return done(previous)

    def _route(self, node: dict, step: RunStep, scope: str, incoming: str) -> Outcome:
        classified = self.node(node["route"], f"{scope}.route", incoming)
        if classified.state != "done":
            return classified
        label = reading.route_label(classified.output, list(node["routes"]))
        writes.step_detail(step=step, label=label)
        if label is not None:
            return self.node(node["routes"][label], f"{scope}.routes.{label}", incoming)
        if isinstance(node.get("default"), dict):
            return self.node(node["default"], f"{scope}.default", incoming)
        return failed(
            f"The classifier answered {classified.output[:80]!r}, not one of the labels "
            f"{', '.join(node['routes'])}."
        )

    def _parallel(self, node: dict, step: RunStep, scope: str, incoming: str) -> Outcome:
        branches = node["parallel"]
        outcomes, waiting = self._all(
            [(child, f"{scope}.parallel[{i}]", incoming) for i, child in enumerate(branches)]
        )
        if waiting:
            return waiting
        text = reading.branches_prompt(
            [(_label(child), o.output) for child, o in zip(branches, outcomes, strict=True)]
        )
        if isinstance(node.get("merge"), dict):
            return self.node(node["merge"], f"{scope}.merge", text)
        return done(text)

    def _compete(self, node: dict, step: RunStep, scope: str, incoming: str) -> Outcome:
        candidates = node["compete"]
        outcomes, waiting = self._all(
            [(child, f"{scope}.compete[{i}]", incoming) for i, child in enumerate(candidates)]
        )
        if waiting:
            return waiting
        names = [_label(child) for child in candidates]
        prompt = reading.candidates_prompt(
            incoming, [(n, o.output) for n, o in zip(names, outcomes, strict=True)]
        )
        judged = self.node(node["judge"], f"{scope}.judge", prompt)
        if judged.state != "done":
            return judged
        winner = reading.judge_winner(judged.output, names)
        if winner is None:
            return failed(f"The judge named no candidate: {judged.output[:120]!r}.")
        writes.step_detail(step=step, winner=winner + 1, winner_path=f"{scope}.compete[{winner}]")
        return done(outcomes[winner].output)

    def _delegate(self, node: dict, step: RunStep, scope: str, incoming: str) -> Outcome:
        workers = list(node["workers"])
        limit = node.get("max_subtasks", DEFAULT_MAX_SUBTASKS)
        prompt = reading.manager_prompt(incoming, workers, limit)
        planned = self.node(node["delegate"], f"{scope}.delegate", prompt)
        if planned.state != "done":
            return planned
        tasks: list[tuple[str, str]] = []
        for name, task in reading.subtasks(planned.output):
            key = reading.worker_key(name, workers)
            if key is None:
                return failed(
                    f"The manager assigned a subtask to {name[:60]!r}, not one of the workers "
                    f"({', '.join(workers)})."
                )
            tasks.append((key, task or incoming))
        if not tasks:
            return failed(f"The manager returned no subtasks: {planned.output[:120]!r}.")
        tasks = tasks[:limit]
        writes.step_detail(
            step=step,
            subtasks=[
                {"worker": key, "task": task, "path": f"{scope}.subtasks[{i}]"}
                for i, (key, task) in enumerate(tasks)
            ],
        )
        outcomes, waiting = self._all(
            [
                (node["workers"][key], f"{scope}.subtasks[{i}]", task)
                for i, (key, task) in enumerate(tasks)
            ]
        )
        if waiting:
            return waiting
        text = reading.results_prompt(
            incoming, [(k, t, o.output) for (k, t), o in zip(tasks, outcomes, strict=True)]
        )
        if isinstance(node.get("synthesize"), dict):
            return self.node(node["synthesize"], f"{scope}.synthesize", text)
        return done(text)

    def _recurse(self, node: dict, step: RunStep, scope: str, incoming: str) -> Outcome:
        return self._decompose(node, scope, incoming, 0)

    def _decompose(self, node: dict, scope: str, task: str, depth: int) -> Outcome:
        if depth >= node.get("max_depth", DEFAULT_MAX_DEPTH):
            return self.node(node["execute"], f"{scope}.execute", task)
        verdict = self.node(node["recurse"], f"{scope}.recurse", f"Analyze this task: {task}")
        if verdict.state != "done":
            return verdict
        parts = (reading.decomposition(verdict.output) or [])[
            : node.get("max_subtasks", DEFAULT_MAX_SUBTASKS)
        ]
        if not parts:
            return self.node(node["execute"], f"{scope}.execute", task)
        outcomes = [
            self._decompose(node, f"{scope}.parts[{i}]", part, depth + 1)
            for i, part in enumerate(parts)
        ]
        failure = next((o for o in outcomes if o.state == "failed"), None)
        if failure or any(o.state == "pending" for o in outcomes):
            return failure or PENDING
        return done(
            reading.parts_output([(p, o.output) for p, o in zip(parts, outcomes, strict=True)])
        )


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=float(value))


def _last_output(conversation) -> str:
    entry = (
        Entry.objects.filter(conversation=conversation, type=Entry.Type.MESSAGE_OUTPUT)
        .order_by("-position")
        .first()
    )
    return entry.text if entry is not None else ""
