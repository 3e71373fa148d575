"""/metrics: Prometheus text format behind a bearer token; values read from real rows."""

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from conversations.models import Conversation, Event, PendingAction, Turn

pytestmark = pytest.mark.django_db


def _samples(response) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def test_metrics_are_not_there_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong", "Token s3cret-token", "bearer", "Bearer s3cret-tokenx", "Bearer é"],
)
def test_a_missing_or_wrong_token_is_401(client, settings, header):
    settings.METRICS_TOKEN = "s3cret-token"
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"agentstudio" not in response.content


def test_metrics_reflect_the_rows(client, settings, finance_graph):
    settings.METRICS_TOKEN = "s3cret-token"
    agent = finance_graph.entry_agent
    conversation = Conversation.objects.create(graph=finance_graph, entry_agent=agent)
    Turn.objects.create(
        conversation=conversation,
        number=1,
        state=Turn.State.RUNNING,
        heartbeat_at=timezone.now() - timezone.timedelta(seconds=30),
    )
    other = Conversation.objects.create(graph=finance_graph, entry_agent=agent)
    waiting_turn = Turn.objects.create(conversation=other, number=1, state=Turn.State.QUEUED)
    action = PendingAction.objects.create(
        conversation=other, turn=waiting_turn, kind="function_call", name="f"
    )
    PendingAction.objects.filter(pk=action.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    Event.objects.bulk_create(
        [Event(conversation=conversation, seq=n, type="x", data={}) for n in range(1, 4)]
    )  # fmt: skip
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = _samples(response)
    assert samples[("agentstudio_turns", (("state", "running"),))] == 1
    assert samples[("agentstudio_turns", (("state", "queued"),))] == 1
    assert samples[("agentstudio_pending_actions_waiting", ())] == 1
    assert samples[("agentstudio_pending_action_oldest_age_seconds", ())] >= 300
    assert samples[("agentstudio_running_turn_heartbeat_max_age_seconds", ())] >= 30
    assert samples[("agentstudio_worker_last_heartbeat_timestamp_seconds", ())] > 0
    assert samples[("agentstudio_events_total", ())] >= 3
    assert ("agentstudio_websocket_connections", ()) in samples


def test_metrics_only_answer_get(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.post("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 405
