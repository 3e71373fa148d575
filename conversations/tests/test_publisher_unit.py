"""The publisher merges a conversation's queued batches, in order, and keeps groups apart.

Each test drains a publisher of its own: the process's publisher thread (started by any earlier
test that published) would otherwise take the messages from under it."""

from conversations import publisher


def batch(*seqs):
    return {"type": "conversation.events", "events": [{"seq": s} for s in seqs]}


def test_drain_merges_consecutive_event_batches_per_group_in_order():
    own = publisher.Publisher()
    feed = {"type": "feed.event", "kind": "pending.created", "data": {}}
    for group, message in [
        ("conversation.a", batch(1, 2)),
        ("conversation.b", batch(1)),
        ("conversation.a", batch(3)),
        ("workspace.w", feed),
        ("conversation.a", batch(4, 5)),
    ]:
        own.queue.put((group, message))
    drained = own.drain()
    assert drained == {
        "conversation.a": [batch(1, 2, 3, 4, 5)],
        "conversation.b": [batch(1)],
        "workspace.w": [feed],
    }


def test_a_full_drain_loses_nothing():
    own = publisher.Publisher(max_drain=10)
    for i in range(25):
        own.queue.put((f"workspace.{i}", {"type": "feed.event", "n": i}))
    seen = []
    for _ in range(3):  # 10 + 10 + 5
        for messages in own.drain().values():
            seen += [m["n"] for m in messages]
    assert sorted(seen) == list(range(25))
    assert own.queue.empty()


def test_the_process_publisher_thread_leaves_another_publishers_queue_alone():
    # What a browser test leaves behind: the process's publisher thread, waiting for messages.
    publisher.publish("workspace.unit-test", {"type": "feed.event", "kind": "noop", "data": {}})
    own = publisher.Publisher()
    own.queue.put(("conversation.a", batch(1)))
    assert own.drain() == {"conversation.a": [batch(1)]}
