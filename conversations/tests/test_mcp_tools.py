"""MCP tool servers through the real stack: servers written with the `mcp` SDK and started by
the test (one over stdio, one over streamable HTTP behind a bearer token), attached through the
API, their tools listed, offered to the model on both runtimes, called by the worker in a run
and their results in the timeline; failures (a slow tool, a server gone) become readable
results and the run completes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.models import McpServer
from agents.selectors import graph_validation
from agents.services import agent_create, graph_create, graph_update
from conftest import stop_process
from conversations.errors import ConversationError
from conversations.models import Conversation
from conversations.services.mcp import mcp_server_attach

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
SERVER_MODULE = "conversations.tests.mcp_servers.tools"
FINAL = {"completed", "failed", "awaiting_input", "cancelled"}
TOKEN = "mcp-secret-token-123"


def stdio_fields(**extra):
    return {
        "name": "stats",
        "transport": "stdio",
        "command": sys.executable,
        "args": ["-m", SERVER_MODULE, "stdio"],
        "env": {"PYTHONPATH": str(ROOT), "TOOLS_SOURCE": "stdio-secret-source"},
        **extra,
    }


@pytest.fixture
def http_mcp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", SERVER_MODULE, "http", str(port), TOKEN],
                            cwd=ROOT)  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    yield proc, f"http://127.0.0.1:{port}/mcp"
    stop_process(proc)


@pytest.fixture
def agent(team):
    workspace, members = team
    graph = graph_create(actor=members["admin"], workspace=workspace, name="Economy")
    made = agent_create(
        actor=members["admin"], graph=graph, name="economist", description="Economic figures"
    )
    graph.entry_agent = made
    graph.save(update_fields=["entry_agent"])
    return made


def _run(api, agent, text, **extra):
    code, body = api.post("/api/conversations/", {"agent": str(agent.pk), "inputs": text, **extra})
    assert code == 201, body
    return api.wait_status(body["id"], FINAL, timeout=90), body["id"]


def _results(api, conversation_id):
    code, events = api.get(f"/api/conversations/{conversation_id}/events/")
    return [e["data"] for e in events if e["type"] == "function.result"]


def test_stdio_server_tools_run_on_the_conversations_runtime(
    agent, team, api_for, celery_worker_process
):
    _, members = team
    editor = api_for(members["admin"])  # stdio servers run commands: admins attach them
    code, server = editor.post(f"/api/agents/{agent.pk}/mcp-servers/", stdio_fields())
    assert code == 201, server
    assert [t["name"] for t in server["tools"]] == [
        "convert_currency", "lookup_inflation", "slow_report"
    ]  # fmt: skip
    assert server["tools_error"] == ""
    assert server["env_keys"] == ["PYTHONPATH", "TOOLS_SOURCE"]
    assert "stdio-secret-source" not in json.dumps(server)  # secrets are write-only
    code, shown = editor.get(f"/api/agents/{agent.pk}/")
    assert shown["mcp_servers"][0]["tools"] == ["convert_currency", "lookup_inflation",
                                                "slow_report"]  # fmt: skip
    assert "stdio-secret-source" not in json.dumps(shown)

    operator = api_for(members["operator"])
    done, conversation_id = _run(operator, agent, "Look up the inflation of 2023")
    assert done["status"] == "completed", done
    [result] = _results(operator, conversation_id)
    assert result["name"] == "lookup_inflation" and result["automatic"] is True
    assert result["result"] == "Euro area inflation in 2023: 2.4% (stdio-secret-source)"
    code, entries = operator.get(f"/api/conversations/{conversation_id}/entries/")
    assert [e["type"] for e in entries] == [
        "message.input", "function.call", "function.result", "message.output",
    ]  # fmt: skip
    assert "lookup_inflation returned Euro area inflation in 2023" in entries[-1]["text"]

    # A tool slower than the server's time limit: a readable failed result, and the run ends.
    code, _ = editor.call("PATCH", f"/api/mcp-servers/{server['id']}/", {"timeout_s": 3})
    assert code == 200
    done, conversation_id = _run(operator, agent, "Write the slow report about the topic wages")
    assert done["status"] == "completed", done
    [result] = _results(operator, conversation_id)
    assert result["name"] == "slow_report"
    assert "did not answer within 3 s" in json.loads(result["result"])["error"]


def test_http_server_tools_run_on_the_local_runtime(
    agent, team, api_for, http_mcp, celery_worker_process
):
    _, members = team
    proc, url = http_mcp
    graph_update(actor=members["admin"], graph=agent.graph, runtime="local")
    editor = api_for(members["editor"])
    fields = {"name": "fx", "transport": "http", "url": url,
              "headers": {"Authorization": f"Bearer {TOKEN}"}}  # fmt: skip
    code, server = editor.post(f"/api/agents/{agent.pk}/mcp-servers/", fields)
    assert code == 201, server
    assert server["tools_error"] == "" and len(server["tools"]) == 3
    assert server["header_keys"] == ["Authorization"] and TOKEN not in json.dumps(server)

    operator = api_for(members["operator"])
    done, conversation_id = _run(operator, agent, "Convert 10 EUR into USD currency")
    assert done["status"] == "completed", done
    assert done["runtime"] == "local"
    [result] = _results(operator, conversation_id)
    assert result["name"] == "convert_currency" and result["result"] == "10 EUR = 11.00 USD"

    # The server goes away: the call fails readably, the run still completes.
    stop_process(proc)
    done, conversation_id = _run(operator, agent, "Convert 5 EUR into GBP currency")
    assert done["status"] == "completed", done
    [result] = _results(operator, conversation_id)
    assert "could not run" in json.loads(result["result"])["error"]
    # And a refresh says so on the agent: validation names the server.
    code, refreshed = editor.post(f"/api/mcp-servers/{server['id']}/refresh/")
    assert code == 200 and refreshed["tools_error"]
    report = graph_validation(agent.graph)
    assert any(i["code"] == "mcp_server_unavailable" for i in report["errors"])


def test_an_unreachable_server_is_a_clear_error_on_the_agent(agent, team, api_for):
    _, members = team
    editor = api_for(members["editor"])
    fields = {"name": "gone", "transport": "http", "url": "http://127.0.0.1:9/mcp",
              "timeout_s": 3}  # fmt: skip
    code, server = editor.post(f"/api/agents/{agent.pk}/mcp-servers/", fields)
    assert code == 201
    assert server["tools"] == [] and "gone failed" in server["tools_error"]
    report = graph_validation(agent.graph)
    [issue] = [i for i in report["errors"] if i["code"] == "mcp_server_unavailable"]
    assert issue["agent_name"] == "economist" and "gone" in issue["message"]
    code, _ = api_for(members["admin"]).post(f"/api/agents/{agent.pk}/mcp-servers/",
                          stdio_fields(name="nothing", command="no-such-command-xyz"))  # fmt: skip
    assert code == 201
    code, listed = editor.get(f"/api/agents/{agent.pk}/mcp-servers/")
    missing = next(s for s in listed if s["name"] == "nothing")
    assert "was not found" in missing["tools_error"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "transport": "stdio", "command": "x"}, "name"),
        ({"name": "a", "transport": "ftp", "command": "x"}, "transport"),
        ({"name": "a", "transport": "stdio"}, "command"),
        ({"name": "a", "transport": "http", "url": "file:///etc/passwd"}, "url"),
        ({"name": "a", "transport": "stdio", "command": "x", "args": "rm -rf"}, "args"),
        ({"name": "a", "transport": "stdio", "command": "x", "env": {"A": 1}}, "env"),
        ({"name": "a", "transport": "http", "url": "http://x", "headers": ["h"]}, "headers"),
        ({"name": "a", "transport": "http", "url": "http://x", "timeout_s": 0}, "timeout_s"),
        ({"name": "a", "transport": "http", "url": "http://x", "secret": 1}, "secret"),
    ],
)
def test_bad_server_fields_are_400s_naming_the_field(agent, team, api_for, fields, field):
    _, members = team
    code, body = api_for(members["admin"]).post(f"/api/agents/{agent.pk}/mcp-servers/", fields)
    assert code == 400 and field in body, body
    assert McpServer.objects.count() == 0


def test_roles_for_mcp_servers(agent, team, api_for):
    _, members = team
    server = McpServer.objects.create(agent=agent, name="s", transport="http", url="http://x",
                                      headers={"Authorization": "Bearer hidden"})  # fmt: skip
    path = f"/api/mcp-servers/{server.pk}/"
    code, body = api_for(members["viewer"]).get(path)
    assert code == 200 and "hidden" not in json.dumps(body)
    fields = {"name": "b", "transport": "http", "url": "http://127.0.0.1:9/", "timeout_s": 1}
    assert (
        api_for(members["operator"]).post(f"/api/agents/{agent.pk}/mcp-servers/", fields)[0] == 403
    )
    assert api_for(members["operator"]).call("DELETE", path)[0] == 403
    assert api_for(members["outsider"]).get(path)[0] == 404
    assert api_for(members["outsider"]).get(f"/api/agents/{agent.pk}/mcp-servers/")[0] == 404
    assert api_for(members["outsider"]).call("DELETE", path)[0] == 404
    assert api_for(members["editor"]).get("/api/mcp-servers/not-a-uuid/")[0] == 404
    assert api_for(members["editor"]).call("DELETE", path)[0] == 204
    assert not McpServer.objects.exists() and Conversation.objects.count() == 0


def test_the_editor_page_lists_servers_and_tools_without_secrets(client, agent, team):
    _, members = team
    McpServer.objects.create(
        agent=agent, name="fx", transport="http", url="http://127.0.0.1:9/mcp",
        headers={"Authorization": "Bearer page-secret"}, tools_error="",
        tools=[{"name": "convert_currency", "description": "Convert euros", "inputSchema": {}}],
    )  # fmt: skip
    McpServer.objects.create(agent=agent, name="gone", transport="stdio", command="nope",
                             tools_error="gone: the command 'nope' was not found")  # fmt: skip
    client.force_login(members["viewer"])
    page = client.get(f"/graphs/{agent.graph_id}/edit/").content.decode()
    assert "<code>convert_currency</code> — Convert euros" in page
    assert "the command &#x27;nope&#x27; was not found" in page
    assert "page-secret" not in page
    client.force_login(members["outsider"])
    assert client.get(f"/graphs/{agent.graph_id}/edit/").status_code == 404


def test_stdio_servers_are_for_admins_and_can_be_switched_off(agent, team, api_for, settings):
    _, members = team
    path = f"/api/agents/{agent.pk}/mcp-servers/"
    fields = stdio_fields(command="definitely-not-installed-cmd")
    assert api_for(members["editor"]).post(path, fields)[0] == 403
    server = McpServer.objects.create(agent=agent, name="h", transport="http", url="http://x")
    patch = {"transport": "stdio", "command": "sh"}
    assert (
        api_for(members["editor"]).call("PATCH", f"/api/mcp-servers/{server.pk}/", patch)[0] == 403
    )
    settings.MCP_STDIO_ENABLED = False  # in this process: the service refuses stdio
    with pytest.raises(ConversationError) as caught:
        mcp_server_attach(actor=members["admin"], agent=agent, fields=fields)
    assert caught.value.field == "transport"
    assert McpServer.objects.count() == 1
