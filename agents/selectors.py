"""User-scoped reads of graphs, agents and their versions. Every lookup of an object named by
user input goes through here; access is the workspace's (`workspaces.selectors`): a non-member
gets `Http404`, a member without the needed role `PermissionDenied` (403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from agents import validation
from agents.mcp_tools import mcp_issues
from agents.models import Agent, AgentVersion, Graph, HandoffEdge, McpServer
from workspaces.roles import Role
from workspaces.selectors import (
    User,
    check_role,
    is_authenticated,
    one_for_user,
    parse_uuid,
    role_subquery,
)


def graphs_for_user(user: User) -> QuerySet[Graph]:
    """Graphs in the user's workspaces, each annotated with the user's `user_role`."""
    if not is_authenticated(user):
        return Graph.objects.none()
    return (
        Graph.objects.annotate(user_role=role_subquery(user, "workspace"))
        .filter(user_role__isnull=False)
        .select_related("workspace", "entry_agent")
    )


def graph_get_for_user(user: User, graph_id: Any, min_role: str = Role.VIEWER) -> Graph:
    graph = graphs_for_user(user).filter(pk=parse_uuid(graph_id)).first()
    check_role(graph.user_role if graph else None, min_role)
    return graph


def _with_handoffs(queryset: QuerySet[Agent]) -> QuerySet[Agent]:
    # One query for all outgoing edges instead of one per agent when serializing `handoffs`.
    return queryset.prefetch_related(
        Prefetch("outgoing_edges", queryset=HandoffEdge.objects.select_related("target"))
    )


def agents_for_user(user: User) -> QuerySet[Agent]:
    """Agents in the user's workspaces, annotated with `user_role`, handoffs prefetched."""
    if not is_authenticated(user):
        return Agent.objects.none()
    queryset = (
        Agent.objects.annotate(user_role=role_subquery(user, "graph__workspace"))
        .filter(user_role__isnull=False)
        .select_related("graph", "graph__workspace")
    )
    return _with_handoffs(queryset)


def agent_get_for_user(
    user: User, agent_id: Any, min_role: str = Role.VIEWER, *, handoffs: bool = True
) -> Agent:
    """One agent, with `user_role`; `handoffs=False` skips prefetching its outgoing edges (to
    start a conversation with it, say). Two plain queries, the agent then the user's role: the
    role subquery of `agents_for_user` cost more to build than both."""
    queryset = Agent.objects.select_related("graph", "graph__workspace").filter(
        pk=parse_uuid(agent_id)
    )
    queryset = _with_handoffs(queryset) if handoffs else queryset
    return one_for_user(user, queryset, lambda agent: agent.graph.workspace_id, min_role)


def agents_of_graph(graph: Graph) -> QuerySet[Agent]:
    """Every agent of a graph with its handoffs, for validation, export and the editor."""
    return _with_handoffs(Agent.objects.filter(graph=graph).order_by("name"))


def agents_of_graph_listed(graph: Graph) -> list[Agent]:
    """`agents_of_graph` as a list whose agents share `graph` (serializing each agent's
    `revision` then costs no query per agent: 500 of them for a 500-agent editor page), with
    their handoffs and MCP servers read by one query each (`Agent.handoff_ids`, `mcp_servers_of`).
    """
    agents = list(Agent.objects.filter(graph=graph).order_by("name"))
    # Plain lists from one query each: prefetching 2,000 edge rows (a model per row, a queryset
    # per agent) took more than half the editor page's time on a large graph, and a prefetch of
    # `mcp_servers` built two querysets per agent even when the graph had no server at all.
    targets: dict[Any, list] = {agent.pk: [] for agent in agents}
    edges = HandoffEdge.objects.filter(source__graph=graph).order_by(*HandoffEdge._meta.ordering)
    for source_id, target_id in edges.values_list("source_id", "target_id"):
        targets[source_id].append(target_id)
    servers: dict[Any, list[McpServer]] = {agent.pk: [] for agent in agents}
    for server in McpServer.objects.filter(agent__graph=graph).order_by("name"):
        servers[server.agent_id].append(server)
    for agent in agents:
        agent.graph = graph
        agent.listed_handoff_ids = targets[agent.pk]
        agent.listed_mcp_servers = servers[agent.pk]
    return agents


def agent_versions(agent: Agent) -> QuerySet[AgentVersion]:
    return AgentVersion.objects.filter(agent=agent).select_related("author").order_by("-number")


def agent_version_get(agent: Agent, number: Any) -> AgentVersion:
    try:
        number = int(number)
    except (TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc
    version = agent_versions(agent).filter(number=number).first()
    if version is None:
        raise Http404("Not found.")
    return version


def graph_validation(graph: Graph) -> dict[str, list[dict]]:
    """The `/validate/` report: per-agent configuration errors plus graph-level checks."""
    agents = agents_of_graph_listed(graph)  # MCP servers prefetched: no query per agent
    names = {agent.id: agent.name for agent in agents}
    nodes = [
        validation.GraphNode(
            id=str(agent.id),
            name=agent.name,
            description=agent.description,
            tools=agent.tools if isinstance(agent.tools, list) else [],
            handoffs=[names[target_id] for target_id in agent.handoff_ids],
            config_errors=validation.agent_config_errors(
                {field: getattr(agent, field) for field in validation.AGENT_CONFIG_FIELDS}
            ),
        )
        for agent in agents
    ]
    report = validation.graph_report(nodes, names.get(graph.entry_agent_id), runtime=graph.runtime)
    for agent in agents:  # MCP servers that cannot serve their tools stop the graph too
        for code, message in mcp_issues(agent):
            report["errors"].append(
                {"agent": str(agent.id), "agent_name": agent.name, "code": code, "message": message}
            )
    return report
