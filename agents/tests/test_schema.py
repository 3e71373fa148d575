"""The OpenAPI schema and the docs page still generate with the agents API in them."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.mark.django_db
def test_schema_and_docs_render_for_a_signed_in_user(client, make_user):
    client.force_login(make_user("reader"))

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/workspaces/",
        "/api/workspaces/{workspace_id}/members/",
        "/api/graphs/",
        "/api/graphs/{graph_id}/",
        "/api/graphs/{graph_id}/validate/",
        "/api/graphs/{graph_id}/export/",
        "/api/graphs/import/",
        "/api/agents/",
        "/api/agents/{agent_id}/",
        "/api/agents/{agent_id}/versions/",
        "/api/agents/{agent_id}/versions/{number}/restore/",
    ):
        assert path in paths, path
    # Lists are documented as paginated.
    listing = paths["/api/agents/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listing["schema"]["$ref"].endswith("PaginatedAgentList")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_schema_generates_without_warnings(capsys):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
