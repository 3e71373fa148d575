"""Every write of the suites: create a suite (cases validated all or nothing), save a
conversation as a case, start a run (one conversation per case, run concurrently by the
workers on the graph's current revision), and settle a case when its conversation stops:
answer its function calls from the case (through the pending-action service, audited as the
suite) or judge it."""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from agents.models import Agent, Graph
from audit.context import RequestContext, bound
from conversations.errors import ConversationConflict, ConversationError
from conversations.models import FINAL_STATUSES, Conversation, Entry, PendingAction, Status
from conversations.services import conversation_cancel, conversation_start, pending_resolve
from evaluations.checks import judge
from evaluations.models import Case, CaseResult, Suite, SuiteRun
from evaluations.validation import CaseErrors, clean_cases

__all__ = ["CaseErrors", "case_from_conversation", "case_settle", "suite_create", "suite_run_start"]


def _agent_names(graph: Graph) -> set[str]:
    return set(Agent.objects.filter(graph=graph).values_list("name", flat=True))


def suite_create(*, actor, graph: Graph, name: Any, cases: Any) -> Suite:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise CaseErrors({"name": ["Name the suite (at most 200 characters)."]})
    cleaned = clean_cases(cases, _agent_names(graph))
    try:
        with transaction.atomic():
            suite = Suite.objects.create(graph=graph, name=name.strip(), created_by=actor)
            Case.objects.bulk_create(
                Case(suite=suite, position=i, **case) for i, case in enumerate(cleaned)
            )
    except IntegrityError:
        raise CaseErrors({"name": ["This graph already has a suite of that name."]}) from None
    return suite


def observed(conversation: Conversation) -> tuple[list[str], list[dict], str]:
    """The agent path taken, the function calls made and the output text of a conversation."""
    entries = list(conversation.entries.select_related("agent").order_by("position"))
    path = [conversation.entry_agent.name] if conversation.entry_agent else []
    calls, outputs = [], []
    for entry in entries:
        if entry.type == Entry.Type.AGENT_HANDOFF:
            following = entry.data.get("next_agent_name")
            if following and (not path or path[-1] != following):
                path.append(following)
        elif entry.type == Entry.Type.FUNCTION_CALL:
            calls.append({"name": entry.data.get("name"), "arguments": entry.data.get("arguments")})
        elif entry.type == Entry.Type.MESSAGE_OUTPUT:
            outputs.append(entry.text)
    return path, calls, "\n".join(outputs)


def case_from_conversation(*, actor, suite: Suite, conversation: Conversation, name: Any) -> Case:
    """What the conversation did, as a case that expects it again ("save as test case")."""
    if conversation.graph_id != suite.graph_id:
        raise CaseErrors({"conversation": ["The conversation is not on this suite's graph."]})
    first = conversation.entries.filter(type=Entry.Type.MESSAGE_INPUT).order_by("position").first()
    if first is None:
        raise CaseErrors({"conversation": ["The conversation has no user message."]})
    path, calls, _ = observed(conversation)
    answers = {}
    for entry in conversation.entries.filter(type=Entry.Type.FUNCTION_RESULT):
        if entry.data.get("name"):
            answers.setdefault(entry.data["name"], str(entry.data.get("result") or ""))
    expected_calls = []
    for call in calls:
        try:
            arguments = json.loads(call["arguments"] or "{}")
        except (TypeError, ValueError):
            arguments = {}
        expected_calls.append({"name": call["name"], "arguments": arguments})
    raw = {
        "name": name,
        "inputs": first.text,
        "answers": answers,
        "expect": {"path": path, "path_match": "exact", "function_calls": expected_calls},
    }
    existing = list(suite.cases.values("name", "inputs", "answers", "expect"))
    clean_cases([*existing, raw], _agent_names(suite.graph))  # names unique in the suite too
    with transaction.atomic():
        position = suite.cases.count()
        [case] = clean_cases([raw], _agent_names(suite.graph))
        return Case.objects.create(
            suite=suite, position=position, source_conversation=conversation, **case
        )


def suite_run_start(*, actor, suite: Suite) -> SuiteRun:
    graph = suite.graph
    if graph.entry_agent is None:
        raise ConversationError("The graph has no entry agent to run the cases on.", field="suite")
    cases = list(suite.cases.order_by("position"))
    if not cases:
        raise ConversationError("The suite has no cases.", field="suite")
    with transaction.atomic():
        run = SuiteRun.objects.create(
            suite=suite, revision=graph.revision, total=len(cases), started_by=actor
        )
        for case in cases:
            conversation = conversation_start(
                actor=actor,
                agent=graph.entry_agent,
                inputs=case.inputs,
                metadata={"agentstudio_suite_run": str(run.pk), "agentstudio_case": case.name},
            )
            CaseResult.objects.create(
                run=run,
                case=case,
                position=case.position,
                name=case.name,
                conversation=conversation,
            )
    return run


def _finish(result: CaseResult, failures: list[str], path, calls) -> None:
    status = CaseResult.Status.FAILED if failures else CaseResult.Status.PASSED
    with transaction.atomic():
        moved = CaseResult.objects.filter(pk=result.pk, status=CaseResult.Status.RUNNING).update(
            status=status,
            failures=failures,
            path=path,
            function_calls=calls,
            finished_at=timezone.now(),
        )
        if not moved:
            return
        counter = "failed" if failures else "passed"
        SuiteRun.objects.filter(pk=result.run_id).update(**{counter: F(counter) + 1})
        if not CaseResult.objects.filter(
            run_id=result.run_id, status=CaseResult.Status.RUNNING
        ).exists():
            SuiteRun.objects.filter(pk=result.run_id, status=SuiteRun.Status.RUNNING).update(
                status=SuiteRun.Status.COMPLETED, finished_at=timezone.now()
            )


def _answer(result: CaseResult, conversation: Conversation) -> None:
    """Supply the case's answers to the pending function calls, as the suite."""
    actor = result.run.started_by
    context = RequestContext(
        user_agent="agentstudio-suite-run",
        request=f"suite run {result.run_id} ({result.run.suite.name}), case {result.name}",
    )
    answers = (result.case.answers if result.case else {}) or {}
    pending = PendingAction.objects.filter(
        conversation=conversation, status=PendingAction.State.PENDING
    ).select_related("conversation", "conversation__graph__workspace", "turn")
    with bound(context):
        for action in pending:
            try:
                if action.kind == PendingAction.Kind.HANDOFF:
                    pending_resolve(actor=actor, action=action, decision="continue")
                elif action.name in answers:
                    pending_resolve(actor=actor, action=action, result=answers[action.name])
                else:
                    path, calls, _ = observed(conversation)
                    _finish(
                        result,
                        [f"answers: the case has no answer for {action.name}; add one"],
                        path,
                        calls,
                    )
                    conversation_cancel(actor=actor, conversation=conversation)
                    return
            except ConversationConflict:
                continue  # answered already (a redelivered task)


def case_settle(*, conversation_id: Any) -> None:
    """A suite's conversation stopped (waiting for input, or finished): move its case on."""
    running = CaseResult.objects.filter(
        conversation_id=conversation_id, status=CaseResult.Status.RUNNING
    )
    # Every turn of every conversation ends here: most are no suite's, and a plain existence
    # check costs far less than the joined read a suite's case needs.
    if not running.exists():
        return
    result = running.select_related("run", "run__suite", "case", "conversation").first()
    if result is None or result.conversation is None:
        return
    conversation = result.conversation
    if conversation.status == Status.AWAITING_INPUT:
        _answer(result, conversation)
        return
    if conversation.status not in FINAL_STATUSES:
        return
    path, calls, output = observed(conversation)
    if conversation.status != Status.COMPLETED:
        failures = [f"the conversation {conversation.status}: {conversation.error or 'no detail'}"]
    else:
        failures = judge(result.case.expect if result.case else {}, path, calls, output)
    _finish(result, failures, path, calls)
