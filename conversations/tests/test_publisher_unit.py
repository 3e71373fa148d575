"""The publisher merges a conversation's queued batches, in order, and keeps groups apart."""

from conversations import publisher


def test_drain_merges_consecutive_event_batches_per_group_in_order():
    def batch(*seqs):
        return {"type": "conversation.events", "events": [{"seq": s} for s in seqs]}

    feed = {"type": "feed.event", "kind": "pending.created", "data": {}}
    for group, message in [
        ("conversation.a", batch(1, 2)),
        ("conversation.b", batch(1)),
        ("conversation.a", batch(3)),
        ("workspace.w", feed),
        ("conversation.a", batch(4, 5)),
    ]:
        publisher._queue.put((group, message))
    drained = publisher._drain()
    assert drained == {
        "conversation.a": [batch(1, 2, 3, 4, 5)],
        "conversation.b": [batch(1)],
        "workspace.w": [feed],
    }


def test_a_full_drain_loses_nothing(monkeypatch):
    monkeypatch.setattr(publisher, "MAX_DRAIN", 10)
    for i in range(25):
        publisher._queue.put((f"workspace.{i}", {"type": "feed.event", "n": i}))
    seen = []
    while len(seen) < 25:
        for messages in publisher._drain().values():
            seen += [m["n"] for m in messages]
    assert sorted(seen) == list(range(25))
    assert publisher._queue.empty()
