"""Tasks are sent by name, fire-and-forget: over the real broker, sending one must not leave a
subscription to its result in the Redis result backend (Celery would add one per message, a
round trip and a live subscription for every turn, since by name it cannot know the task
ignores its result)."""

from __future__ import annotations

import uuid

import pytest
import redis
from celery import current_app
from django.conf import settings

from conversations import queue

pytestmark = pytest.mark.integration
NOBODY = f"test-nobody-{uuid.uuid4().hex[:8]}"  # a queue no worker reads


def _result_subscribers(client: redis.Redis, task_id: str) -> int:
    channel = current_app.backend.get_key_for_task(task_id)
    return dict(client.pubsub_numsub(channel))[channel]


def test_sending_a_task_leaves_no_result_subscription(monkeypatch):
    client = redis.Redis.from_url(settings.REDIS_URL)
    sent = []
    original = current_app.send_task

    def send_and_keep(name, **options):
        result = original(name, queue=NOBODY, **options)
        sent.append(result.id)
        return result

    try:
        # Celery's own default, for comparison: the backend subscribes to the result.
        control = original("conversations.nothing", args=["x"], queue=NOBODY)
        assert _result_subscribers(client, control.id) == 1
        monkeypatch.setattr(current_app, "send_task", send_and_keep)
        queue.send_task("conversations.nothing", "x")
        queue.send_turn(uuid.uuid4())
        assert len(sent) == 2
        assert [_result_subscribers(client, task_id) for task_id in sent] == [0, 0]
    finally:
        control.forget()
        client.delete(NOBODY)
