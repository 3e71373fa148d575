"""The two sockets over a real ASGI server and Redis channel layer: access, origin, replay, feed."""

import asyncio
import json

import pytest
import websockets

from agentstudio.redis_server import free_port
from conftest import start_asgi_server, stop_process
from conversations.models import Conversation, PendingAction, Turn
from conversations.publisher import workspace_group
from conversations.services import conversation_start
from tests.helpers import group_has_subscriber, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


async def _close_code(url, **kwargs):
    try:
        async with websockets.connect(url, **kwargs) as ws:
            await asyncio.wait_for(ws.recv(), timeout=5)
            return "open"
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except websockets.InvalidStatus as refused:
        return refused.response.status_code


def _auth(token):
    return {"additional_headers": {"Authorization": f"Token {token}"}}


@pytest.fixture
def started(finance_graph, team):
    _, members = team
    return conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Hello there"
    )


def test_conversation_socket_access(asgi_server, team, started, token_for):
    _, members = team
    url = f"{asgi_server.ws_url}/ws/conversations/{started.pk}/"
    assert asyncio.run(_close_code(url)) == 4403
    assert asyncio.run(_close_code(url, **_auth(token_for(members["outsider"])))) == 4403
    bad = f"{asgi_server.ws_url}/ws/conversations/not-a-uuid/"
    assert asyncio.run(_close_code(bad, **_auth(token_for(members["viewer"])))) == 4403
    foreign = asyncio.run(
        _close_code(url, origin="http://evil.example", **_auth(token_for(members["viewer"])))
    )
    assert foreign == 403
    assert asyncio.run(_close_code(url, **_auth(token_for(members["viewer"])))) == "open"


def test_origin_must_match_scheme_host_and_port(asgi_server, team, started, token_for):
    _, members = team
    url = f"{asgi_server.ws_url}/ws/conversations/{started.pk}/"
    token = _auth(token_for(members["viewer"]))
    port = asgi_server.url.rsplit(":", 1)[1]

    def code(origin):
        return asyncio.run(_close_code(url, origin=origin, **token))

    assert code(asgi_server.url) == "open"
    assert code(f"http://127.0.0.1:{free_port()}") == 403  # another port of the same host
    assert code(f"https://127.0.0.1:{port}") == 403  # the scheme differs
    assert code("http://127.0.0.1") == 403  # the default port is another port
    assert code(f"http://localhost:{port}") == 403  # allowed host, but not this request's
    assert code("null") == 403


@pytest.fixture(scope="module")
def trusting_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """A second live server trusting two origins, with its own log to read."""
    tmp = tmp_path_factory.mktemp("trusting")
    with django_db_blocker.unblock():
        server = start_asgi_server(
            tmp, CSRF_TRUSTED_ORIGINS="https://studio.example.com,https://*.trusted.example"
        )
    port = server.url.rsplit(":", 1)[1]
    yield server, tmp / f"asgi-{port}.log"
    stop_process(server.proc)


def test_trusted_origins_are_accepted(trusting_server, team, started, token_for):
    _, members = team
    server, _ = trusting_server
    url = f"{server.ws_url}/ws/conversations/{started.pk}/"
    token = _auth(token_for(members["viewer"]))

    def code(origin):
        return asyncio.run(_close_code(url, origin=origin, **token))

    assert code("https://studio.example.com") == "open"
    assert code("https://app.trusted.example") == "open"
    assert code(server.url) == "open"
    assert code("http://studio.example.com") == 403
    assert code("https://studio.example.com:8443") == 403
    assert code("https://trusted.example.evil.test") == 403


def test_an_unknown_path_is_refused_without_a_traceback(trusting_server, team, token_for):
    _, members = team
    server, log = trusting_server
    token = _auth(token_for(members["viewer"]))
    for path in ("/ws/nowhere/", "/ws/conversations/abc", "/ws/", "/"):
        assert asyncio.run(_close_code(f"{server.ws_url}{path}", **token)) == 403, path
        assert asyncio.run(_close_code(f"{server.ws_url}{path}", origin=server.url)) == 403
    # The refusals were handled: uvicorn prints "Traceback" for any exception in the app.
    assert server.proc.poll() is None
    assert "Traceback" not in log.read_text(errors="replace")


async def _first(url, token, count):
    async with websockets.connect(url, **_auth(token)) as ws:
        return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(count)]


def test_replay_from_after(asgi_server, team, started, token_for):
    _, members = team
    token = token_for(members["viewer"])
    url = f"{asgi_server.ws_url}/ws/conversations/{started.pk}/"
    all_events = asyncio.run(_first(f"{url}?after=0", token, 2))
    assert [e["seq"] for e in all_events] == [1, 2]
    assert [e["type"] for e in all_events] == ["conversation.status", "message.input"]
    assert asyncio.run(_first(f"{url}?after=1", token, 1)) == all_events[1:]


async def _feed(url, token, act, quiet_token, group):
    async with (
        websockets.connect(url, **_auth(token)) as ws,
        websockets.connect(url, **_auth(quiet_token)) as quiet,
    ):
        await asyncio.to_thread(wait_for, lambda: group_has_subscriber(group), what=group)
        await asyncio.to_thread(act)
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(quiet.recv(), 1)
        return message


def test_feed_announces_answers_to_members_only(
    asgi_server, team, finance_graph, token_for, api_for
):
    _, members = team
    # Written directly, not through `conversation_start`: a started conversation's turn is on the
    # broker, and a session's worker that runs it could fail it and cancel the action first.
    waiting = Conversation.objects.create(
        graph=finance_graph,
        entry_agent=finance_graph.entry_agent,
        backend="sandbox",
        status="awaiting_input",
    )
    turn = Turn.objects.create(conversation=waiting, number=1, kind="start", state="done")
    action = PendingAction.objects.create(
        conversation=waiting,
        turn=turn,
        kind="function_call",
        name="get_rate",
        arguments={},
        tool_call_id="abc123XYZ",
    )

    def answer():
        code, body = api_for(members["operator"]).post(
            f"/api/pending/{action.pk}/resolve/", {"result": "2.5%"}
        )
        assert code == 200, body

    message = asyncio.run(
        _feed(
            f"{asgi_server.ws_url}/ws/feed/",
            token_for(members["viewer"]),
            answer,
            token_for(members["outsider"]),
            workspace_group(finance_graph.workspace_id),
        )
    )
    assert message["type"] == "pending.resolved"
    assert message["data"]["id"] == str(action.pk) and message["data"]["result"] == "2.5%"
    assert asyncio.run(_close_code(f"{asgi_server.ws_url}/ws/feed/")) == 4403


async def _receive_after_unpublished_write(url, token, write):
    async with websockets.connect(url, **_auth(token)) as ws:
        replayed = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert replayed["seq"] == 1  # the replay is over: what comes next, the poller found
        await asyncio.to_thread(write)
        return json.loads(await asyncio.wait_for(ws.recv(), 10))


def test_an_event_whose_publish_was_lost_still_arrives(asgi_server, team, finance_graph, token_for):
    from conversations.models import Event

    _, members = team
    # No service, so no turn for a worker to run: only this test writes to the log.
    quiet = Conversation.objects.create(
        graph=finance_graph,
        entry_agent=finance_graph.entry_agent,
        backend="sandbox",
        status="completed",
    )

    def log(seq, status):
        Event.objects.create(
            conversation=quiet, seq=seq, type="conversation.status", data={"status": status}
        )
        Conversation.objects.filter(pk=quiet.pk).update(last_seq=seq)

    log(1, "running")

    late = asyncio.run(
        _receive_after_unpublished_write(
            f"{asgi_server.ws_url}/ws/conversations/{quiet.pk}/",
            token_for(members["viewer"]),
            lambda: log(2, "completed"),
        )
    )
    assert late["seq"] == 2 and late["data"] == {"status": "completed"}
