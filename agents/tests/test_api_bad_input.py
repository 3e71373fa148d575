"""Bad and hostile input: each is a 400 that names the field, and the database is untouched."""

from __future__ import annotations

import copy

import pytest

from agents.tests.conftest import LOOKUP_TOOL, World, db_state


def function_tool(**function) -> dict:
    tool = copy.deepcopy(LOOKUP_TOOL)
    tool["function"].update(function)
    return tool


def nested(depth: int) -> dict:
    value: dict = {"type": "string"}
    for _ in range(depth):
        value = {"type": "object", "properties": {"a": value}}
    return value


# (case id, body fields merged into an agent PATCH/POST, the field path the 400 must name)
BAD_AGENT_FIELDS = [
    (
        "schema not a schema",
        {"tools": [function_tool(parameters={"type": "objekt"})]},
        "tools[0].function.parameters",
    ),
    (
        "schema properties wrong type",
        {"tools": [function_tool(parameters={"type": "object", "properties": []})]},
        "tools[0].function.parameters",
    ),
    (
        "schema missing",
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        "tools[0].function.parameters",
    ),
    ("unknown tool type", {"tools": [{"type": "document_retrieval"}]}, "tools[0].type"),
    ("tool without type", {"tools": [{}]}, "tools[0].type"),
    ("tools not a list", {"tools": {"type": "web_search"}}, "tools"),
    (
        "function name with space",
        {"tools": [function_tool(name="look up")]},
        "tools[0].function.name",
    ),
    (
        "function name with slash",
        {"tools": [function_tool(name="orders/lookup")]},
        "tools[0].function.name",
    ),
    ("function name too long", {"tools": [function_tool(name="f" * 65)]}, "tools[0].function.name"),
    ("duplicate tool", {"tools": [{"type": "web_search"}, {"type": "web_search"}]}, "tools[1]"),
    (
        "document_library without ids",
        {"tools": [{"type": "document_library"}]},
        "tools[0].library_ids",
    ),
    ("extra key on builtin", {"tools": [{"type": "web_search", "config": {}}]}, "tools[0].config"),
    (
        "temperature too high",
        {"completion_args": {"temperature": 2.5}},
        "completion_args.temperature",
    ),
    (
        "temperature negative",
        {"completion_args": {"temperature": -0.1}},
        "completion_args.temperature",
    ),
    (
        "temperature as bool",
        {"completion_args": {"temperature": True}},
        "completion_args.temperature",
    ),
    ("top_p above 1", {"completion_args": {"top_p": 1.01}}, "completion_args.top_p"),
    ("negative max_tokens", {"completion_args": {"max_tokens": -5}}, "completion_args.max_tokens"),
    (
        "fractional max_tokens",
        {"completion_args": {"max_tokens": 1.5}},
        "completion_args.max_tokens",
    ),
    (
        "penalty out of range",
        {"completion_args": {"presence_penalty": 3}},
        "completion_args.presence_penalty",
    ),
    (
        "unknown completion arg",
        {"completion_args": {"logit_bias": {}}},
        "completion_args.logit_bias",
    ),
    (
        "bad tool_choice",
        {"completion_args": {"tool_choice": "sometimes"}},
        "completion_args.tool_choice",
    ),
    (
        "json_schema format without schema",
        {"completion_args": {"response_format": {"type": "json_schema"}}},
        "completion_args.response_format.json_schema",
    ),
    (
        "json_schema format with invalid schema",
        {
            "completion_args": {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "r", "schema": {"type": 5}},
                }
            }
        },
        "completion_args.response_format.json_schema.schema",
    ),
    ("completion_args not an object", {"completion_args": [1]}, "completion_args"),
    ("empty name", {"name": ""}, "name"),
    ("blank name", {"name": "   "}, "name"),
    ("name with control characters", {"name": "bad\x00name"}, "name"),
    ("name too long", {"name": "n" * 129}, "name"),
    ("1 MB instructions", {"instructions": "x" * 1_000_000}, "instructions"),
    ("description too long", {"description": "d" * 2_001}, "description"),
    ("model with spaces", {"model": "mistral large"}, "model"),
    ("position not finite", {"position_x": "nan"}, "position_x"),
    ("position absurd", {"position_y": 1e12}, "position_y"),
    ("handoffs not ids", {"handoffs": ["nope"]}, "handoffs"),
    (
        "tools nested too deeply",
        {
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "f",
                        "parameters": {"type": "object", "properties": nested(40)},
                    },
                }
            ]
        },
        "tools",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "path"), [c[1:] for c in BAD_AGENT_FIELDS], ids=[c[0] for c in BAD_AGENT_FIELDS]
)
def test_bad_agent_update_is_400_naming_the_field(world: World, fields, path):
    before = db_state()

    response = world.client("editor").patch(
        f"/api/agents/{world.triage.id}/", fields, format="json"
    )

    assert response.status_code == 400, response.content
    assert path in response.json(), response.json()
    assert response.json()[path]  # a message, not just a key
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "path"), [c[1:] for c in BAD_AGENT_FIELDS], ids=[c[0] for c in BAD_AGENT_FIELDS]
)
def test_bad_agent_create_is_400_naming_the_field(world: World, fields, path):
    before = db_state()
    body = {"graph": str(world.graph.id), "name": "newcomer", **fields}

    response = world.client("editor").post("/api/agents/", body, format="json")

    assert response.status_code == 400, response.content
    assert path in response.json(), response.json()
    assert db_state() == before


@pytest.mark.django_db
def test_duplicate_name_in_graph_is_400(world: World):
    before = db_state()
    client = world.client("editor")

    created = client.post(
        "/api/agents/", {"graph": str(world.graph.id), "name": "billing"}, format="json"
    )
    renamed = client.patch(f"/api/agents/{world.triage.id}/", {"name": "billing"}, format="json")

    for response in (created, renamed):
        assert response.status_code == 400
        assert "already exists" in response.json()["name"][0]
    assert db_state() == before


@pytest.mark.django_db
def test_same_name_in_another_graph_is_fine(world: World):
    other = world.client("editor").post(
        "/api/graphs/", {"workspace": str(world.workspace.id), "name": "Other"}, format="json"
    )
    response = world.client("editor").post(
        "/api/agents/", {"graph": other.json()["id"], "name": "billing"}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["self", "cross_graph", "foreign_workspace", "twice"])
def test_invalid_handoffs_are_400(world: World, target: str):
    other_graph_agent = (
        world.client("editor")
        .post(
            "/api/graphs/", {"workspace": str(world.workspace.id), "name": "Other"}, format="json"
        )
        .json()
    )
    other_agent = (
        world.client("editor")
        .post(
            "/api/agents/", {"graph": other_graph_agent["id"], "name": "elsewhere"}, format="json"
        )
        .json()
    )
    handoffs = {
        "self": [str(world.triage.id)],
        "cross_graph": [other_agent["id"]],
        "foreign_workspace": [str(world.other_agent.id)],
        "twice": [str(world.billing.id), str(world.billing.id)],
    }[target]
    before = db_state()

    response = world.client("editor").patch(
        f"/api/agents/{world.triage.id}/",
        {"handoffs": handoffs, "instructions": "changed"},
        format="json",
    )

    assert response.status_code == 400
    assert "handoffs" in response.json()
    assert db_state() == before  # the valid instructions change was not applied either


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "x",',
        b"not json at all",
        b'{"name": NaN}',
        b"\xff\xfe",
        b'["a list"]',
        b"null",
        b'{"tools": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    ],
    ids=["truncated", "text", "nan", "binary", "list", "null", "deeply-nested"],
)
def test_malformed_json_bodies_are_400(world: World, raw: bytes):
    before = db_state()
    client = world.client("editor")

    for method, url in (
        ("post", "/api/agents/"),
        ("patch", f"/api/agents/{world.triage.id}/"),
        ("post", "/api/graphs/"),
        ("patch", f"/api/graphs/{world.graph.id}/"),
        ("post", "/api/graphs/import/"),
        ("post", "/api/workspaces/"),
    ):
        response = getattr(client, method)(url, raw, content_type="application/json")
        assert response.status_code == 400, (method, url, response.content)
        assert response.json()  # a JSON error body, not an HTML page
    assert db_state() == before


@pytest.mark.django_db
def test_graph_bad_input(world: World):
    client = world.client("editor")
    before = db_state()

    cases = [
        (client.post, "/api/graphs/", {"workspace": str(world.workspace.id), "name": ""}, "name"),
        (client.post, "/api/graphs/", {"workspace": "nope", "name": "x"}, "workspace"),
        (
            client.patch,
            f"/api/graphs/{world.graph.id}/",
            {"entry_agent": str(world.other_agent.id)},
            "entry_agent",
        ),
        (
            client.patch,
            f"/api/graphs/{world.graph.id}/",
            {"description": "d" * 2001},
            "description",
        ),
        (client.patch, f"/api/graphs/{world.graph.id}/", {"revision": "latest"}, "revision"),
    ]
    for method, url, body, field in cases:
        response = method(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()
    assert db_state() == before


@pytest.mark.django_db
def test_valid_tools_and_completion_args_are_accepted(world: World):
    tools = [
        LOOKUP_TOOL,
        {"type": "web_search_premium"},
        {"type": "code_interpreter"},
        {"type": "image_generation"},
        {"type": "document_library", "library_ids": ["lib_1"]},
    ]
    completion_args = {
        "temperature": 1.5,
        "top_p": 0,
        "max_tokens": 512,
        "random_seed": 7,
        "stop": ["END"],
        "tool_choice": "any",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
        },
    }
    response = world.client("editor").patch(
        f"/api/agents/{world.billing.id}/",
        {"tools": tools, "completion_args": completion_args},
        format="json",
    )
    assert response.status_code == 200, response.content
    world.billing.refresh_from_db()
    assert world.billing.tools == tools
    assert world.billing.completion_args == completion_args


@pytest.mark.django_db
def test_workspace_membership_and_import_bad_input(world: World):
    client = world.client("admin")
    before = db_state()
    invitations = f"/api/workspaces/{world.workspace.id}/invitations/"

    cases = [
        (client.post, "/api/workspaces/", {"name": ""}, "name"),
        (client.post, "/api/workspaces/", {"name": "x" * 129}, "name"),
        (client.patch, f"/api/workspaces/{world.workspace.id}/", {"name": " "}, "name"),
        (client.post, invitations, {"invitee": "outsider"}, "role"),
        (client.post, "/api/graphs/import/", {"workspace": str(world.workspace.id)}, "document"),
        (
            client.post,
            "/api/graphs/import/",
            {"workspace": str(world.workspace.id), "document": []},
            "document",
        ),
    ]
    for method, url, body, field in cases:
        response = method(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()
    assert db_state() == before
