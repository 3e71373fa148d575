"""Suite endpoints in-process: who may create, read and run; case validation naming the case
and the field with nothing saved; saving a conversation as a test case."""

import copy

import pytest

from conversations.models import Conversation, Entry
from conversations.services import conversation_start
from evaluations.checks import judge
from evaluations.models import Case, Suite, SuiteRun
from evaluations.tests.conftest import passing_and_failing_cases

pytestmark = pytest.mark.django_db
ROLES = ["admin", "editor", "operator", "viewer", "outsider"]


def _client(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _create(client, graph, cases=None, name="routing"):
    body = {"name": name, "cases": passing_and_failing_cases() if cases is None else cases}
    return client.post(f"/api/graphs/{graph.pk}/suites/", body, format="json")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_read_and_run(role, team, support_graph, api_client):
    _, members = team
    client = _client(api_client, members[role])
    created = _create(client, support_graph)
    assert created.status_code == {"admin": 201, "editor": 201, "outsider": 404}.get(role, 403)
    suite = (
        Suite.objects.first()
        or _create(_client(api_client, members["admin"]), support_graph).json()
    )
    suite_id = suite.pk if isinstance(suite, Suite) else suite["id"]
    client = _client(api_client, members[role])
    read = client.get(f"/api/suites/{suite_id}/")
    listed = client.get(f"/api/graphs/{support_graph.pk}/suites/")
    assert read.status_code == listed.status_code == (404 if role == "outsider" else 200)
    run = client.post(f"/api/suites/{suite_id}/runs/")
    expected = {"outsider": 404, "viewer": 403}.get(role, 201)
    assert run.status_code == expected
    assert SuiteRun.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        body = run.json()
        assert body["total"] == 2 and len(body["cases"]) == 2
        conversations = Conversation.objects.filter(suite_result__run_id=body["id"])
        assert conversations.count() == 2
        assert all(c.metadata["agentstudio_suite_run"] == body["id"] for c in conversations)
        detail = client.get(f"/api/suite-runs/{body['id']}/").json()
        assert set(detail) >= {"status", "passed", "failed", "cases"}
        assert set(detail["cases"][0]) >= {"name", "status", "path", "failures", "conversation"}
    other = _client(api_client, members["outsider"]).get(f"/api/suite-runs/{suite_id}/")
    assert other.status_code == 404


def _broken(mutate):
    cases = passing_and_failing_cases()
    mutate(cases)
    return cases


BAD = [
    (lambda c: c[1]["expect"].update(path=["billing", "ghost"]), "cases[1].expect.path", "ghost"),
    (lambda c: c[0]["expect"].update(output_regex=["(unclosed"]), "cases[0].expect.output_regex",
     "invoice goes to billing"),
    (lambda c: c[0]["expect"]["function_calls"][0]["arguments"].update(invoice={"regex": "[x"}),
     "cases[0].expect.function_calls[0].arguments.invoice", "invalid regular expression"),
    (lambda c: c[0]["expect"].update(path_match="fuzzy"), "cases[0].expect.path_match", "exact"),
    (lambda c: c[0].update(inputs="  "), "cases[0].inputs", "message"),
    (lambda c: c[0].update(inputs=None), "cases[0].inputs", "message"),
    (lambda c: c[0].update(name=""), "cases[0].name", "name"),
    (lambda c: c[1].update(name=c[0]["name"]), "cases[1].name", "unique"),
    (lambda c: c[0].update(answers={"lookup_invoice": 5}), "cases[0].answers", "string"),
    (lambda c: c[0].update(expect="everything"), "cases[0].expect", "object"),
    (lambda c: c[0]["expect"].update(extra=1), "cases[0].expect", "unknown"),
    (lambda c: c[0]["expect"].update(path="router"), "cases[0].expect.path", "list"),
    (lambda c: c.append("case"), "cases[2]", "object"),
    (lambda c: c.clear(), "cases", "at least one"),
    (lambda c: c.extend([copy.deepcopy(c[1]) for _ in range(201)]), "cases", "At most"),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "field", "says"), BAD)
def test_bad_cases_name_the_case_and_field_and_save_nothing(
    team, support_graph, api_client, mutate, field, says
):
    _, members = team
    response = _create(_client(api_client, members["editor"]), support_graph, _broken(mutate))
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert says in " ".join(body[field]), body
    assert not Suite.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize("name", ["", None, 5, "x" * 201])
def test_bad_suite_names(team, support_graph, api_client, name):
    _, members = team
    response = _create(_client(api_client, members["editor"]), support_graph, name=name)
    assert response.status_code == 400 and "name" in response.json()


def test_a_duplicate_suite_name_is_refused(team, support_graph, api_client):
    _, members = team
    client = _client(api_client, members["editor"])
    assert _create(client, support_graph).status_code == 201
    again = _create(client, support_graph)
    assert again.status_code == 400 and "name" in again.json()


def test_save_a_conversation_as_a_test_case(team, support_graph, api_client):
    _, members = team
    client = _client(api_client, members["editor"])
    suite = _create(client, support_graph).json()
    router = support_graph.entry_agent
    billing = support_graph.agents.get(name="billing")
    conversation = conversation_start(actor=members["operator"], agent=router, inputs="My bill")
    Entry.objects.create(
        conversation=conversation, position=1, type="agent.handoff", remote_id="h1",
        agent=router, data={"next_agent_name": "billing", "next_agent": str(billing.pk)},
    )  # fmt: skip
    Entry.objects.create(
        conversation=conversation, position=2, type="function.call", remote_id="f1",
        agent=billing, data={"name": "lookup_invoice", "arguments": '{"invoice": "A-1"}',
                             "tool_call_id": "abc"},
    )  # fmt: skip
    Entry.objects.create(
        conversation=conversation, position=3, type="function.result",
        data={"name": "lookup_invoice", "result": "paid", "tool_call_id": "abc"},
    )  # fmt: skip
    response = client.post(
        f"/api/suites/{suite['id']}/cases/",
        {"from_conversation": str(conversation.pk), "name": "my bill"},
        format="json",
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["inputs"] == "My bill" and case["answers"] == {"lookup_invoice": "paid"}
    assert case["expect"]["path"] == ["router", "billing"]
    assert case["expect"]["function_calls"] == [
        {"name": "lookup_invoice", "arguments": {"invoice": "A-1"}}
    ]
    again = client.post(
        f"/api/suites/{suite['id']}/cases/",
        {"from_conversation": str(conversation.pk), "name": "my bill"},
        format="json",
    )
    assert again.status_code == 400
    foreign = client.post(
        f"/api/suites/{suite['id']}/cases/",
        {"from_conversation": "00000000-0000-0000-0000-000000000000", "name": "x"},
        format="json",
    )
    assert foreign.status_code == 400 and "from_conversation" in foreign.json()
    viewer = _client(api_client, members["viewer"]).post(
        f"/api/suites/{suite['id']}/cases/",
        {"from_conversation": str(conversation.pk), "name": "y"},
        format="json",
    )
    assert viewer.status_code == 403


def test_judging():
    expect = {
        "path": ["a", "c"],
        "path_match": "ordered",
        "function_calls": [{"name": "f", "arguments": {"x": 1, "y": {"contains": "ab"}}}],
        "output_contains": ["Done"],
        "output_regex": [r"\d+ items"],
    }
    calls = [{"name": "f", "arguments": '{"x": 1, "y": "xABy"}'}]
    assert judge(expect, ["a", "b", "c"], calls, "done: 3 items") == []
    failures = judge({**expect, "path_match": "exact"}, ["a", "b", "c"], [], "nothing")
    assert [f.split(":")[0] for f in failures] == [
        "path",
        "function_calls",
        "output_contains",
        "output_regex",
    ]
    assert judge({"path": ["c", "a"], "path_match": "ordered"}, ["a", "b", "c"], [], "")


def test_a_run_retried_with_the_same_idempotency_key_runs_once(team, support_graph, api_client):
    _, members = team
    client = _client(api_client, members["operator"])
    suite = _create(_client(api_client, members["editor"]), support_graph).json()
    client = _client(api_client, members["operator"])
    first = client.post(f"/api/suites/{suite['id']}/runs/", HTTP_IDEMPOTENCY_KEY="run-1")
    again = client.post(f"/api/suites/{suite['id']}/runs/", HTTP_IDEMPOTENCY_KEY="run-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and SuiteRun.objects.count() == 1
