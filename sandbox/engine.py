"""Conversation turns against the database: validate, lock, compute the reply, persist.

A turn is split so the async view never holds a thread while streaming: `start`/`append`/
`restart` do all database work and compute every output up front (holding the conversation's
turn lock), the view streams, and `finish` persists the outputs and releases the lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q

from sandbox import agents_store, conf, faults, libraries, wire
from sandbox.errors import ApiError
from sandbox.inputs import check_inputs, normalize_inputs
from sandbox.models import SandboxConversation, SandboxEntry, SandboxFile
from sandbox.policy import run_turn
from sandbox.specs import AgentSpec, PolicyError, TurnResult
from sandbox.text import lengthen

Entry = wire.Entry
# A lock older than this belongs to a turn whose process died; the next turn may take it over.
STALE_LOCK = dt.timedelta(minutes=5)
FORBIDDEN_ON_APPEND = ("model", "instructions", "tools", "agent_id")


@dataclass
class PreparedTurn:
    conversation_id: str
    token: str
    outputs: list[Entry]
    usage: dict[str, Any]
    active_agent_id: str | None
    scenario: dict[str, Any] | None
    store: bool
    knobs: faults.Knobs
    files: list[str] = field(default_factory=list)


# ---- conversations --------------------------------------------------------------------------


def _conversation(conversation_id: str) -> SandboxConversation:
    found = SandboxConversation.objects.filter(pk=conversation_id).first()
    if found is None:
        raise ApiError(wire.not_found("Conversation", conversation_id))
    return found


def history_of(conversation: SandboxConversation) -> list[Entry]:
    return list(conversation.entries.order_by("seq").values_list("data", flat=True))


def _acquire(conversation_id: str) -> str:
    """Compare-and-set the turn lock; a second turn on the same conversation gets 409."""
    token = wire.new_id("turn_")
    stamp = wire.now()
    free = Q(turn_token="") | Q(turn_started_at__lt=stamp - STALE_LOCK)
    taken = SandboxConversation.objects.filter(free, pk=conversation_id).update(
        turn_token=token, turn_started_at=stamp
    )
    if not taken:
        raise ApiError(
            wire.error(
                409,
                f"Conversation {conversation_id} is being updated by a concurrent request",
                code=3000,
                type_="conflict",
            )
        )
    return token


def _release(conversation_id: str, token: str) -> None:
    SandboxConversation.objects.filter(pk=conversation_id, turn_token=token).update(
        turn_token="", turn_started_at=None, updated_at=wire.now()
    )


def _append_entries(conversation_id: str, entries: list[Entry]) -> None:
    if not entries:
        return
    top = SandboxEntry.objects.filter(conversation_id=conversation_id).aggregate(m=Max("seq"))["m"]
    seq = -1 if top is None else top
    SandboxEntry.objects.bulk_create(
        SandboxEntry(conversation_id=conversation_id, seq=seq + i + 1, entry_id=e["id"],
                     type=e["type"], data=e)
        for i, e in enumerate(entries)
    )  # fmt: skip


def _agent_for(conversation: SandboxConversation, agent_id: str | None) -> AgentSpec:
    if not conversation.agent_id:
        return AgentSpec(
            id=None,
            name=conversation.model,
            model=conversation.model,
            instructions=conversation.instructions or None,
            tools=conversation.tools or [],
            completion_args=conversation.completion_args or {},
        )
    version = conversation.agent_version if agent_id == conversation.agent_id else None
    found = agents_store.spec(agent_id or conversation.agent_id, version)
    if found is None:
        raise ApiError(wire.not_found("Agent", agent_id or conversation.agent_id))
    return found


def _run(
    conversation: SandboxConversation,
    token: str,
    inputs: list[Entry],
    body: dict[str, Any],
    knobs: faults.Knobs,
) -> PreparedTurn:
    """Persist the inputs, compute the turn and its files; the lock stays held until `finish`."""
    store = body.get("store") is not False
    try:
        history = history_of(conversation) + inputs
        active = _agent_for(conversation, conversation.active_agent_id or conversation.agent_id)
        result: TurnResult = run_turn(
            history,
            active,
            agents_store.spec,
            handoff_execution=body.get("handoff_execution") or "server",
            scenario_state=conversation.scenario,
            library_search=libraries.search,
        )
        with conf.atomic():
            if store:
                _append_entries(conversation.id, inputs)
            stamp = wire.now()
            SandboxFile.objects.bulk_create(
                SandboxFile(id=f.id, filename=f.filename, mimetype=f.mimetype, content=f.content,
                            conversation_id=conversation.id, created_at=stamp)
                for f in result.files
            )  # fmt: skip
    except PolicyError as exc:
        _release(conversation.id, token)
        raise ApiError(faults.server_error(f"{faults.HANDOFF_FAILURE}: {exc}")) from exc
    except BaseException:  # whatever went wrong, the conversation must not stay locked
        _release(conversation.id, token)
        raise
    return PreparedTurn(
        conversation_id=conversation.id,
        token=token,
        outputs=_lengthened(result.outputs, knobs.reply_tokens),
        usage=result.usage,
        active_agent_id=result.active_agent_id,
        scenario=result.scenario,
        store=store,
        knobs=knobs,
        files=[f.id for f in result.files],
    )


def _lengthened(outputs: list[Entry], tokens: int) -> list[Entry]:
    """The benchmark knob `sandbox_reply_tokens`: the last text answer made that long."""
    if tokens:
        for entry in reversed(outputs):
            if entry["type"] == "message.output" and isinstance(entry.get("content"), str):
                entry["content"] = lengthen(entry["content"], tokens)
                break
    return outputs


def finish(turn: PreparedTurn, *, completed: bool = True) -> None:
    """Persist the outputs (unless the turn failed) and release the turn lock."""
    with conf.atomic():
        if completed:
            if turn.store:
                _append_entries(turn.conversation_id, turn.outputs)
            SandboxConversation.objects.filter(pk=turn.conversation_id).update(
                active_agent_id=turn.active_agent_id or "", scenario=turn.scenario
            )
        _release(turn.conversation_id, turn.token)


def _check_handoff_execution(body: dict[str, Any]) -> None:
    if body.get("handoff_execution") not in (None, "server", "client"):
        message = "Input should be 'server' or 'client'"
        raise ApiError(wire.validation_error(["body", "handoff_execution"], message, "enum"))


def _refuse_on_fault(knobs: faults.Knobs, body: dict[str, Any]) -> None:
    refusal = faults.refusal(knobs, stream=bool(body.get("stream")))
    if refusal is not None:
        raise ApiError(refusal)


def _metadata(body: dict[str, Any]) -> dict[str, Any] | None:
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ApiError(wire.validation_error(["body", "metadata"], "Input should be an object"))
    return metadata


def start(body: dict[str, Any], headers: Any) -> PreparedTurn:
    _check_handoff_execution(body)
    if "inputs" not in body:
        raise ApiError(wire.validation_error(["body", "inputs"], "Field required", "missing"))
    agent_id, model = body.get("agent_id"), body.get("model")
    if agent_id and model:
        raise ApiError(wire.error(400, "Provide either agent_id or model, not both", param="model"))
    if not agent_id and not model:
        raise ApiError(wire.error(400, "Either agent_id or model is required", param="agent_id"))
    metadata = _metadata(body)
    inputs = normalize_inputs(body["inputs"])
    check_inputs([], inputs)
    version = None
    if agent_id:
        try:
            agent = agents_store.get_agent(agent_id)
            version = agents_store.resolve_version(agent, body.get("agent_version")).version
        except agents_store.AgentNotFound as exc:
            raise ApiError(wire.not_found("Agent", str(agent_id))) from exc
    knobs = faults.knobs(metadata, headers, "")
    _refuse_on_fault(knobs, body)
    stamp = wire.now()
    token = wire.new_id("turn_")
    conversation = SandboxConversation.objects.create(
        id=wire.new_id("conv_"),
        agent_id=agent_id or "",
        agent_version=version,
        model="" if agent_id else str(model),
        instructions="" if agent_id else str(body.get("instructions") or ""),
        tools=[] if agent_id else list(body.get("tools") or []),
        completion_args={} if agent_id else dict(body.get("completion_args") or {}),
        name=body.get("name"),
        description=body.get("description"),
        metadata=metadata,
        active_agent_id=agent_id or "",
        turn_token=token,
        turn_started_at=stamp,
        created_at=stamp,
        updated_at=stamp,
    )
    return _run(conversation, token, inputs, body, knobs)


def append(conversation_id: str, body: dict[str, Any], headers: Any) -> PreparedTurn:
    if forbidden := [k for k in FORBIDDEN_ON_APPEND if k in body]:
        message = "Extra inputs are not permitted"
        raise ApiError(wire.validation_error(["body", forbidden[0]], message, "extra_forbidden"))
    _check_handoff_execution(body)
    conversation = _conversation(conversation_id)
    inputs = normalize_inputs(body.get("inputs"))
    knobs = faults.knobs(conversation.metadata, headers, conversation.id)
    _refuse_on_fault(knobs, body)
    token = _acquire(conversation.id)
    try:
        conversation.refresh_from_db()
        check_inputs(history_of(conversation), inputs)
    except ApiError:
        _release(conversation.id, token)
        raise
    return _run(conversation, token, inputs, body, knobs)


def restart(conversation_id: str, body: dict[str, Any], headers: Any) -> PreparedTurn:
    _check_handoff_execution(body)
    source = _conversation(conversation_id)
    entry_id = body.get("from_entry_id")
    if not entry_id:
        raise ApiError(
            wire.validation_error(["body", "from_entry_id"], "Field required", "missing")
        )
    history = history_of(source)
    cut = next((i for i, e in enumerate(history) if e.get("id") == entry_id), None)
    if cut is None:
        raise ApiError(wire.error(400, f"Entry {entry_id} is not in conversation {conversation_id}",
                                  param="from_entry_id"))  # fmt: skip
    kept = history[:cut]  # exactly the history before the entry: the fork replaces it
    inputs = normalize_inputs(body.get("inputs"))
    check_inputs(kept, inputs)
    metadata = _metadata(body) if body.get("metadata") is not None else source.metadata
    knobs = faults.knobs(metadata, headers, "")
    _refuse_on_fault(knobs, body)
    version = source.agent_version
    if source.agent_id and body.get("agent_version") is not None:
        try:
            agent = agents_store.get_agent(source.agent_id)
            version = agents_store.resolve_version(agent, body["agent_version"]).version
        except agents_store.AgentNotFound as exc:
            raise ApiError(wire.not_found("Agent", source.agent_id)) from exc
    active = source.agent_id
    for entry in kept:  # the agent active at the chosen entry answers the fork
        if entry.get("type") == "agent.handoff":
            active = entry["next_agent_id"]
    stamp = wire.now()
    token = wire.new_id("turn_")
    with conf.atomic():
        conversation = SandboxConversation.objects.create(
            id=wire.new_id("conv_"),
            agent_id=source.agent_id,
            agent_version=version,
            model=source.model,
            instructions=source.instructions,
            tools=source.tools,
            completion_args=source.completion_args,
            name=source.name,
            description=source.description,
            metadata=metadata,
            active_agent_id=active,
            turn_token=token,
            turn_started_at=stamp,
            created_at=stamp,
            updated_at=stamp,
        )
        _append_entries(conversation.id, kept)
    return _run(conversation, token, inputs, body, knobs)


# ---- reads and delete -----------------------------------------------------------------------


def render_conversation(conversation: SandboxConversation) -> dict[str, Any]:
    base = {
        "object": "conversation",
        "id": conversation.id,
        "created_at": wire.iso(conversation.created_at),
        "updated_at": wire.iso(conversation.updated_at),
        "name": conversation.name,
        "description": conversation.description,
        "metadata": conversation.metadata,
    }
    if conversation.agent_id:
        return base | {
            "agent_id": conversation.agent_id,
            "agent_version": conversation.agent_version,
        }
    return base | {
        "model": conversation.model,
        "instructions": conversation.instructions or None,
        "tools": conversation.tools or [],
        "completion_args": conversation.completion_args or {},
    }


def get(conversation_id: str) -> dict[str, Any]:
    return render_conversation(_conversation(conversation_id))


def history(conversation_id: str) -> dict[str, Any]:
    conversation = _conversation(conversation_id)
    return {
        "object": "conversation.history",
        "conversation_id": conversation.id,
        "entries": history_of(conversation),
    }


def messages(conversation_id: str) -> dict[str, Any]:
    conversation = _conversation(conversation_id)
    kinds = ("message.input", "message.output")
    return {
        "object": "conversation.messages",
        "conversation_id": conversation.id,
        "messages": [e for e in history_of(conversation) if e.get("type") in kinds],
    }


def list_conversations(page: int, page_size: int, metadata: dict | None) -> list[dict[str, Any]]:
    rows = SandboxConversation.objects.all()
    if metadata:
        rows = rows.filter(**{f"metadata__{k}": v for k, v in metadata.items()})
    start_at = page * page_size
    return [render_conversation(c) for c in rows[start_at : start_at + page_size]]


def delete(conversation_id: str) -> None:
    _conversation(conversation_id).delete()
