"""Agents, their versions and aliases: every write and the Agent wire object.

Each create makes version 0; each update makes version N+1 from the latest one and activates it,
as the real API does (even an update that only sets `handoffs`).
"""

from __future__ import annotations

from typing import Any

from sandbox import conf, wire
from sandbox.models import SandboxAgent, SandboxAgentAlias, SandboxAgentVersion
from sandbox.specs import AgentSpec

# Fields a client may set on create/update, with the value the API shows when unset.
AGENT_FIELDS: dict[str, Any] = {
    "model": None,
    "name": None,
    "description": None,
    "instructions": None,
    "tools": [],
    "completion_args": {},
    "handoffs": None,
    "metadata": None,
    "guardrails": None,
    "version_message": None,
    "deployment_chat": False,
}
COMPLETION_ARGS = {"stop": None, "presence_penalty": None, "frequency_penalty": None,
                   "temperature": None, "top_p": None, "max_tokens": None, "random_seed": None,
                   "prediction": None, "response_format": None, "tool_choice": "auto"}  # fmt: skip


class AgentNotFound(LookupError):
    pass


def _config(body: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    config = dict(base or AGENT_FIELDS)
    for key in AGENT_FIELDS:
        if key in body:
            config[key] = body[key]
    config["tools"] = config.get("tools") or []
    config["completion_args"] = COMPLETION_ARGS | (config.get("completion_args") or {})
    config["deployment_chat"] = bool(config.get("deployment_chat"))
    return config


@conf.atomic()
def create_agent(body: dict[str, Any]) -> dict[str, Any]:
    stamp = wire.now()
    agent = SandboxAgent.objects.create(
        id=wire.new_id("ag_"), active_version=0, created_at=stamp, updated_at=stamp
    )
    SandboxAgentVersion.objects.create(
        agent=agent, version=0, config=_config(body), created_at=stamp
    )
    return render(agent)


def get_agent(agent_id: str) -> SandboxAgent:
    try:
        return SandboxAgent.objects.get(pk=agent_id)
    except SandboxAgent.DoesNotExist as exc:
        raise AgentNotFound(agent_id) from exc


def resolve_version(agent: SandboxAgent, version: Any) -> SandboxAgentVersion:
    """A version by number, by alias name, or the active one when `version` is None."""
    if version is None or version == "":
        number = agent.active_version
    elif isinstance(version, int) or str(version).isdigit():
        number = int(version)
    else:
        alias = SandboxAgentAlias.objects.filter(agent=agent, alias=str(version)).first()
        if alias is None:
            raise AgentNotFound(f"{agent.id} version {version}")
        number = alias.version
    found = SandboxAgentVersion.objects.filter(agent=agent, version=number).first()
    if found is None:
        raise AgentNotFound(f"{agent.id} version {version}")
    return found


@conf.atomic()
def update_agent(agent_id: str, body: dict[str, Any]) -> dict[str, Any]:
    agent = SandboxAgent.objects.select_for_update().filter(pk=agent_id).first()
    if agent is None:
        raise AgentNotFound(agent_id)
    latest = agent.versions.order_by("-version").first()
    number = (latest.version + 1) if latest else 0
    stamp = wire.now()
    SandboxAgentVersion.objects.create(
        agent=agent, version=number, config=_config(body, latest.config if latest else None),
        created_at=stamp,
    )  # fmt: skip
    agent.active_version = number
    agent.updated_at = stamp
    agent.save(update_fields=["active_version", "updated_at"])
    return render(agent)


def switch_version(agent_id: str, version: int) -> dict[str, Any]:
    agent = get_agent(agent_id)
    found = resolve_version(agent, version)
    agent.active_version = found.version
    agent.updated_at = wire.now()
    agent.save(update_fields=["active_version", "updated_at"])
    return render(agent)


def render(agent: SandboxAgent, version: SandboxAgentVersion | None = None) -> dict[str, Any]:
    """The Agent object, with the fields SDK 3.7.0 requires (`versions`, `deployment_chat`, ...)."""
    version = version or resolve_version(agent, None)
    config = _config({}, version.config)
    numbers = list(agent.versions.order_by("version").values_list("version", flat=True))
    return {
        "object": "agent",
        "id": agent.id,
        "version": version.version,
        "versions": numbers,
        "model": config["model"],
        "name": config["name"],
        "description": config["description"],
        "instructions": config["instructions"],
        "tools": config["tools"],
        "completion_args": config["completion_args"],
        "handoffs": config["handoffs"],
        "metadata": config["metadata"],
        "guardrails": config["guardrails"],
        "created_at": wire.iso(agent.created_at),
        "updated_at": wire.iso(version.created_at),
        "deployment_chat": config["deployment_chat"],
        "source": "api",
        "owner_id": None,
        "version_message": config["version_message"],
    }


def spec(agent_id: str, version: Any = None) -> AgentSpec | None:
    """The policy's view of an agent (active version unless told), or None if it is gone."""
    agent = SandboxAgent.objects.filter(pk=agent_id).first()
    if agent is None:
        return None
    try:
        return AgentSpec.from_config(agent.id, resolve_version(agent, version).config)
    except AgentNotFound:
        return None


def render_alias(alias: SandboxAgentAlias) -> dict[str, Any]:
    return {
        "alias": alias.alias,
        "version": alias.version,
        "created_at": wire.iso(alias.created_at),
        "updated_at": wire.iso(alias.updated_at),
    }


def set_alias(agent_id: str, alias: str, version: int) -> dict[str, Any]:
    agent = get_agent(agent_id)
    resolve_version(agent, version)
    stamp = wire.now()
    row, created = SandboxAgentAlias.objects.get_or_create(
        agent=agent,
        alias=alias,
        defaults={"version": version, "created_at": stamp, "updated_at": stamp},
    )
    if not created:
        row.version, row.updated_at = version, stamp
        row.save(update_fields=["version", "updated_at"])
    return render_alias(row)
