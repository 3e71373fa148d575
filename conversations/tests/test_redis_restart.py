"""Nothing lost across a Redis restart: a socket on a live ASGI server whose channel layer is a
Redis of its own, killed and started again while the conversation's log grows. What was logged
while Redis was away arrives (the next message shows the gap, the log fills it), and so does a
last event whose publish was lost (the process's log watcher finds the quiet socket behind)."""

import asyncio
import json

import pytest
import websockets
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from agentstudio.redis_server import start_embedded_redis, stop
from conftest import start_asgi_server, stop_process
from conversations.models import Conversation, Event
from conversations.publisher import CONVERSATION_EVENT, conversation_group
from tests.helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _subscribed(url, group, prefix):
    from types import SimpleNamespace

    import redis
    from channels_redis.pubsub import RedisPubSubLoopLayer

    name = RedisPubSubLoopLayer._get_group_channel_name(SimpleNamespace(prefix=prefix), group)
    try:
        with redis.Redis.from_url(url) as client:
            return client.pubsub_numsub(name)[0][1] > 0
    except redis.ConnectionError:
        return False


def test_a_redis_restart_loses_no_event(
    finance_graph, team, token_for, django_db_blocker, tmp_path
):
    _, members = team
    url, redis_proc = start_embedded_redis(tmp_path / "redis")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    with django_db_blocker.unblock():
        server = start_asgi_server(tmp_path, REDIS_URL=url)
    conversation = Conversation.objects.create(
        graph=finance_graph, entry_agent=finance_graph.entry_agent, backend="sandbox"
    )
    group = conversation_group(conversation.pk)
    token = token_for(members["viewer"])

    def log(seq):
        data = {"status": "running"}
        event = Event.objects.create(
            conversation=conversation, seq=seq, type="conversation.status", data=data
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_seq=seq)
        return event.as_message()

    async def publish(message):
        layer = RedisPubSubChannelLayer(hosts=[url], prefix=prefix)
        await layer.group_send(group, {"type": CONVERSATION_EVENT, "events": [message]})
        await layer.flush()

    async def scenario():
        nonlocal redis_proc
        headers = {"Authorization": f"Token {token}"}
        ws_url = f"{server.ws_url}/ws/conversations/{conversation.pk}/"
        async with websockets.connect(ws_url, additional_headers=headers) as ws:
            await asyncio.to_thread(log, 1)
            await asyncio.to_thread(wait_for, lambda: _subscribed(url, group, prefix))
            await publish(await asyncio.to_thread(log, 2))
            got = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(2)]
            stop(redis_proc)
            await asyncio.to_thread(log, 3)  # its publish would fail: Redis is away
            _, redis_proc = start_embedded_redis(tmp_path / "redis", port=port)
            await asyncio.to_thread(wait_for, lambda: _subscribed(url, group, prefix))
            await publish(await asyncio.to_thread(log, 4))  # shows the gap: 3 from the log
            await asyncio.to_thread(log, 5)  # the last one, never published
            for _ in range(3):
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 15)))
        return got

    try:
        got = asyncio.run(scenario())
    finally:
        stop_process(server.proc)
        stop(redis_proc)
    assert [m["seq"] for m in got] == [1, 2, 3, 4, 5]
