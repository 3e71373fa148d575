"""The history API: a finished conversation's entries in pages, where the log takes over, and the
notes the page still needs; members only, bad input a 400 naming the parameter."""

import pytest

from conversations.models import Conversation, Entry, Event, Turn
from conversations.tests.long_conversation import build

pytestmark = pytest.mark.django_db
TURNS = 120


@pytest.fixture
def long(finance_graph, team):
    _, members = team
    conversation = Conversation.objects.create(
        graph=finance_graph, entry_agent=finance_graph.entry_agent, backend="sandbox",
        started_by=members["admin"],
    )  # fmt: skip
    build(conversation, turns=TURNS, user=members["admin"], agent=finance_graph.entry_agent)
    return conversation


def _get(api_client, user, url):
    api_client.force_authenticate(user)
    return api_client.get(url)


@pytest.mark.parametrize("role", ["admin", "editor", "operator", "viewer", "outsider"])
def test_members_read_the_history_outsiders_get_404(role, team, long, api_client):
    _, members = team
    response = _get(api_client, members[role], f"/api/conversations/{long.pk}/history/")
    assert response.status_code == (404 if role == "outsider" else 200)


def test_pages_up_to_the_snapshot_then_the_log(team, long, api_client):
    _, members = team
    url = f"/api/conversations/{long.pk}/history/"
    first = _get(api_client, members["viewer"], url).json()
    assert first["settled"] is True
    assert first["seq"] == Event.objects.filter(conversation=long).count() == 8 * TURNS
    assert first["count"] == 2 * TURNS and first["position"] == 2 * TURNS - 1  # from 0
    assert [e["position"] for e in first["entries"]] == list(range(60))
    assert first["next"] == 59 and first["upto"] == 2 * TURNS - 1
    # The token totals up to the snapshot: what the log's response.done events add up to.
    assert first["usage"] == {"prompt_tokens": 10 * TURNS, "completion_tokens": 30 * TURNS,
                              "total_tokens": 40 * TURNS}  # fmt: skip
    outputs = [e for e in first["entries"] if e["type"] == "message.output"]
    assert set(first["rendered"]) == {e["remote_id"] for e in outputs}
    assert "<strong>2.5%</strong>" in first["rendered"][outputs[0]["remote_id"]]
    # Nothing failed, nothing pending, no files: only the latest status, which a page rendered
    # before the snapshot (while the last turn ran) must still apply.
    last_status = Event.objects.filter(conversation=long, type="conversation.status").last()
    assert [n["seq"] for n in first["notes"]] == [last_status.seq]

    # A new turn starts meanwhile: its entries lie beyond the snapshot, the socket brings them.
    Entry.objects.create(conversation=long, position=2 * TURNS, type="message.input",
                         role="user", text="More?", data={"content": "More?"})  # fmt: skip
    rest = _get(api_client, members["viewer"], f"{url}?after=59&upto={first['upto']}&limit=500")
    rest = rest.json()
    assert [e["position"] for e in rest["entries"]] == list(range(60, 2 * TURNS))
    assert rest["next"] is None and "notes" not in rest


def test_notes_are_the_events_that_draw_beside_the_entries(team, long, api_client):
    _, members = team
    seq = Conversation.objects.get(pk=long.pk).last_seq
    for offset, (kind, data) in enumerate(
        [
            ("conversation.status", {"status": "running"}),
            ("message.output.delta", {"id": "msg_x", "content": "partial"}),
            ("conversation.status", {"status": "failed", "error": "boom"}),
            ("pending.created", {"id": "p1", "kind": "function_call", "name": "f"}),
        ],
        start=1,
    ):
        Event.objects.create(conversation=long, seq=seq + offset, type=kind, data=data)
    Conversation.objects.filter(pk=long.pk).update(last_seq=seq + 4, status="awaiting_input")
    body = _get(api_client, members["viewer"], f"/api/conversations/{long.pk}/history/").json()
    assert body["seq"] == seq + 4
    # The failed turn's events from its start (its outputs are gone from the entries), the
    # failure, the pending action; not the finished turns' deltas.
    assert [(n["type"], n["data"].get("status")) for n in body["notes"]] == [
        ("conversation.status", "running"),
        ("message.output.delta", None),
        ("conversation.status", "failed"),
        ("pending.created", None),
    ]


def test_while_a_turn_runs_there_is_no_snapshot(team, long, api_client):
    _, members = team
    turn = Turn.objects.create(conversation=long, number=1, kind="message", state="running")
    url = f"/api/conversations/{long.pk}/history/"
    assert _get(api_client, members["viewer"], url).json() == {"settled": False}
    Turn.objects.filter(pk=turn.pk).update(state="done")
    Conversation.objects.filter(pk=long.pk).update(status="queued")
    assert _get(api_client, members["viewer"], url).json() == {"settled": False}


@pytest.mark.parametrize(
    "query, field",
    [("after=-2", "after"), ("after=x", "after"), ("limit=0", "limit"), ("limit=501", "limit"),
     ("upto=-2", "upto"), ("upto=1e3", "upto")],
)  # fmt: skip
def test_bad_parameters_are_a_400_naming_them(query, field, team, long, api_client):
    _, members = team
    response = _get(api_client, members["viewer"], f"/api/conversations/{long.pk}/history/?{query}")
    assert response.status_code == 400 and field in response.json()
