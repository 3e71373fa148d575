"""The web side of the hardening issue: sign-in lockout, API throttles, 401 challenges, response
headers, offline API docs, body size limits, hostile JSON and OPTIONS on every API route."""

# ruff: noqa: F811 - `world` is a fixture imported from agents.tests.conftest

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from agents.models import Agent, Graph
from agents.tests.conftest import World, fast_password_hashing, world  # noqa: F401
from audit.models import AuditEntry
from audit.tests.conftest import make_pending
from conversations import services as conv_services
from conversations.models import Conversation, PendingAction
from workspaces import jsonbody

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-secret-123"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def sign_in(client: Client, username: str, password: str, path: str = "/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


# --- 1. sign-in lockout ----------------------------------------------------------------------


def test_wrong_passwords_lock_the_login_form_out_even_for_the_right_one(world: World):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "editor", "guess").status_code == 200  # the form again
    locked = sign_in(client, "editor", "guess")
    assert locked.status_code == 429
    right = sign_in(client, "editor", PASSWORD)
    assert right.status_code == 429
    assert "Sign-in locked" in right.content.decode()
    assert "Try again in 15 minutes" in right.content.decode()
    assert int(right["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session
    rows = AuditEntry.objects.filter(action="auth.locked_out").order_by("id")
    assert rows.count() == 2  # reaching the limit, and the try during the lockout
    assert rows[0].after == {"username": "editor", "ip": "203.0.113.7"}
    assert (rows[0].ip, rows[0].outcome, rows[0].object_repr) == (
        "203.0.113.7",
        "failure",
        "editor",
    )
    # API tokens are not passwords: the locked-out user's scripts keep working.
    assert world.client("editor").get("/api/graphs/").status_code == 200


def test_admin_login_is_locked_out_too(world: World):
    world.users["admin"].is_staff = True
    world.users["admin"].save()
    client = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "admin", "guess", path="/admin/login/?next=/admin/")
    response = sign_in(client, "admin", PASSWORD, path="/admin/login/?next=/admin/")
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert AuditEntry.objects.filter(action="auth.locked_out", object_repr="admin").exists()


def test_lockout_is_per_username_and_address_and_ignores_a_forged_forwarded_for(world: World):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(django_settings.AXES_FAILURE_LIMIT + 1):
        # A different X-Forwarded-For each time: not trusted (AUDIT_TRUST_X_FORWARDED_FOR off).
        sign_in(attacker, "viewer", "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert sign_in(attacker, "viewer", PASSWORD).status_code == 429
    # The same person from their own address, and another account from the attacker's, are fine.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.1"), "viewer", PASSWORD).status_code == 302
    assert sign_in(Client(REMOTE_ADDR="203.0.113.7"), "operator", PASSWORD).status_code == 302


def test_success_resets_the_count_and_the_lockout_ends_after_the_cool_off(world: World):
    client = Client(REMOTE_ADDR="203.0.113.8")
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        sign_in(client, "operator", "guess")
    assert sign_in(client, "operator", PASSWORD).status_code == 302  # resets the count
    client.post("/logout/")
    for _ in range(limit - 1):
        sign_in(client, "operator", "guess")
    assert sign_in(client, "operator", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(limit):
        sign_in(client, "operator", "guess")
    assert sign_in(client, "operator", PASSWORD).status_code == 429
    # The cool-off is counted from the last failure: move it back past AXES_COOLOFF_TIME.
    past = AccessAttempt.objects.get(username="operator").attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.filter(username="operator").update(attempt_time=past)
    assert sign_in(client, "operator", PASSWORD).status_code == 302


# --- 2. throttles ----------------------------------------------------------------------------


def test_api_requests_past_the_user_rate_get_429_with_retry_after(world: World, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min"},
    }
    client = world.client("viewer")
    assert [client.get("/api/graphs/").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/graphs/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    # Counted per user: another member is not slowed down by the first.
    assert world.client("editor").get("/api/graphs/").status_code == 200


def test_default_rates_are_generous_and_configurable():
    rates = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"anon": "600/min", "user": "2000/min"}


# --- 3. 401 with a challenge -----------------------------------------------------------------


@pytest.mark.parametrize(
    "credentials",
    [{}, {"HTTP_AUTHORIZATION": "Token not-a-real-key"}, {"HTTP_AUTHORIZATION": "Token"}],
    ids=["none", "unknown-token", "malformed"],
)
def test_missing_or_bad_credentials_are_401_with_www_authenticate(world: World, credentials):
    client = APIClient()
    for method, path in [
        ("get", "/api/graphs/"),
        ("post", "/api/conversations/"),
        ("get", f"/api/conversations/{uuid.uuid4()}/events/"),
        ("post", "/api/tokens/"),
        ("get", "/api/schema/"),
    ]:
        response = getattr(client, method)(path, **credentials)
        assert response.status_code == 401, (method, path)
        assert response["WWW-Authenticate"] == "Token", (method, path)
    assert Conversation.objects.count() == 0


def test_signed_in_browser_session_still_needs_its_csrf_token(world: World):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["editor"])
    refused = client.post("/api/graphs/", {"workspace": str(world.workspace.pk), "name": "x"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert world.client("editor").get("/api/graphs/").status_code == 200  # token: no CSRF


# --- 4. response headers ---------------------------------------------------------------------


def test_pages_and_api_send_csp_permissions_policy_and_no_store(world: World):
    client = Client()
    client.force_login(world.users["admin"])
    page = client.get("/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    policy = page["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert page["Cache-Control"] == "private, no-store"
    api = world.client("viewer").get("/api/graphs/")
    assert api["Cache-Control"] == "private, no-store"
    assert "Permissions-Policy" in api
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")
    # The sign-in page is not behind a sign-in: cacheable rules are Django's own, CSP still on.
    login = Client().get("/login/")
    assert "script-src 'self'" in login["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_templates_have_no_inline_script_style_or_handlers():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


# --- 5. offline API docs ---------------------------------------------------------------------


def test_api_docs_serve_swagger_ui_from_our_own_static_files(world: World):
    client = Client()
    client.force_login(world.users["viewer"])
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources)
    for source in sources:
        assert source.startswith("/"), source
        assert client.get(source).status_code == 200, source
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# --- 6. body size limit ----------------------------------------------------------------------


def test_api_bodies_over_the_limit_get_a_json_413_naming_it(world: World, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"agent": str(world.triage.pk), "inputs": "x" * 2000})
    response = world.client("operator").post(
        "/api/conversations/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["limit"] == 1000
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in response.json()["detail"]
    assert "1000 bytes" in response.json()["detail"]
    assert Conversation.objects.count() == 0


def test_page_form_bodies_over_the_limit_get_a_plain_413(world: World, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client()
    client.force_login(world.users["operator"])
    response = client.post(
        f"/graphs/{world.graph.pk}/start/",
        {"agent": str(world.triage.pk), "message": "x" * 2000, "handoff_execution": "server"},
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "1000 bytes" in response.content.decode()
    assert Conversation.objects.count() == 0


# --- 7. hostile JSON and OPTIONS ---------------------------------------------------------------


@pytest.fixture
def pending(world: World) -> PendingAction:
    conversation = conv_services.conversation_start(
        actor=world.users["operator"], agent=world.triage, inputs="Where is my invoice?"
    )
    return make_pending(conversation)


@pytest.mark.parametrize("levels", [101, 100_000], ids=["past-the-limit", "recursion"])
def test_deeply_nested_bodies_are_400_naming_the_body_on_every_endpoint(
    world: World, pending: PendingAction, levels: int
):
    before = (Conversation.objects.count(), Graph.objects.count(), Agent.objects.count())
    client = world.client("admin")
    conversation = pending.conversation
    wrapped = '{"inputs": ' + deep(levels) + "}"
    for path in [
        "/api/conversations/",
        f"/api/conversations/{conversation.pk}/messages/",
        f"/api/pending/{pending.pk}/resolve/",
        "/api/agents/",
        "/api/graphs/import/",
        "/api/workspaces/",
    ]:
        for body in (deep(levels), wrapped):
            response = client.post(path, body, content_type="application/json")
            assert response.status_code == 400, (path, response.content[:200])
            assert "nested too deeply" in response.json()["body"][0], path
    after = (Conversation.objects.count(), Graph.objects.count(), Agent.objects.count())
    assert after == before
    pending.refresh_from_db()
    assert pending.status == PendingAction.State.PENDING


def test_ordinary_nesting_still_passes(world: World):
    document = {"a": {"b": [[{"c": [1, 2, {"d": "e"}]}]]}}
    response = world.client("operator").post(
        "/api/conversations/",
        {"agent": str(world.triage.pk), "inputs": "hi", "metadata": document},
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_form_json_fields_refuse_deep_nesting_with_a_form_error(world: World, pending):
    client = Client()
    client.force_login(world.users["operator"])
    response = client.post(
        f"/graphs/{world.graph.pk}/start/",
        {
            "agent": str(world.triage.pk),
            "message": "hi",
            "handoff_execution": "server",
            "metadata": '{"a": ' + deep(50_000) + "}",
        },
    )
    assert response.status_code == 400  # the form again, with the field's error
    assert "nested too deeply" in response.content.decode()
    response = client.post(
        f"/inbox/{pending.pk}/resolve/", {"result": deep(50_000), "format": "json"}
    )
    assert response.status_code < 500
    pending.refresh_from_db()
    assert pending.status == PendingAction.State.PENDING
    assert Conversation.objects.count() == 1


def test_admin_json_fields_refuse_deep_nesting(world: World):
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    url = f"/admin/agents/agent/{world.triage.pk}/change/"
    response = client.post(url, {"name": "triage", "tools": deep(50_000), "completion_args": "{}"})
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()


def test_json_loads_only_raises_value_errors():
    assert jsonbody.loads('{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    jsonbody.loads(deep(100))
    for hostile in (deep(101), deep(1_000_000), "[" * 10_000, "{", b"\xff", '{"a": NaN'):
        with pytest.raises(jsonbody.JSONBodyError):
            jsonbody.loads(hostile)
    with pytest.raises(ValueError, match="more than 3 levels"):
        jsonbody.check_depth({"a": {"b": {"c": {}}}}, limit=3)


def _api_routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _api_routes(entry.url_patterns, pattern)
        elif isinstance(entry, URLPattern) and pattern.startswith("api/"):
            routes.append(pattern)
    return routes


def test_options_on_every_api_endpoint_is_never_a_server_error(world: World, pending):
    ids = {
        "workspace_id": world.workspace.pk,
        "graph_id": world.graph.pk,
        "agent_id": world.triage.pk,
        "membership_id": world.workspace.memberships.first().pk,
        "invitation_id": uuid.uuid4(),
        "number": 1,
    }
    # `<pk>` names a different object under each prefix.
    pks = {
        "conversations": pending.conversation.pk,
        "pending": pending.pk,
        "graphs": world.graph.pk,
    }
    routes = sorted(set(_api_routes()))
    restore = "api/agents/<str:agent_id>/versions/<str:number>/restore/"
    assert {"api/graphs/import/", restore} <= set(routes)
    client = world.client("admin")
    anonymous = APIClient()
    checked = []
    for route in routes:
        values = {"pk": pks.get(route.split("/")[1], uuid.uuid4()), **ids}
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m[1]]), route)
        for who, api in (("admin", client), ("anonymous", anonymous)):
            answer = api.options(path)
            assert answer.status_code < 500, (who, path, answer.content[:300])
        checked.append(path)
    assert len(checked) >= 20
    restore = client.options(f"/api/agents/{world.triage.pk}/versions/1/restore/")
    assert restore.status_code == 200 and "POST" in restore["Allow"]
    assert client.options("/api/graphs/import/").status_code == 200
