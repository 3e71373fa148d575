"""Everything needs a signed-in user except /healthz, the login page and static files."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_pages_redirect_anonymous_users_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login")) or "/login" in response["Location"]


def test_api_answers_anonymous_with_401_not_a_redirect(client):
    response = client.get("/api/schema/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_login_page_and_static_files_are_public(client):
    assert client.get("/login/").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200


def test_sign_in_then_home_then_sign_out(client, make_user):
    make_user("ada", password="correct-horse-42")
    response = client.post("/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 200
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
    response = client.post("/login/", {"username": "ada", "password": "correct-horse-42"})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert b"Sign out" in home.content
    assert b"Sandbox backend" in home.content
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_healthz_reports_failing_parts_with_503(client, settings):
    # No worker consumes this queue, so the ping goes unanswered.
    settings.CELERY_TASK_DEFAULT_QUEUE = "nobody-listens-here"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == "ok"
    assert body["channel_layer"] == "ok"
    assert body["worker"].startswith("error: no worker answered")
    assert body["backend"] == "sandbox"
