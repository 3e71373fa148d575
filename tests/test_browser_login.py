"""Sign in and out in real Chromium against the real ASGI server."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_shows_dashboard_and_sandbox_banner_then_sign_out(page, asgi_server, make_user):
    make_user("grace", password="s3cret-pass-99")
    page.goto(f"{asgi_server.url}/")
    assert "/login/" in page.url  # anonymous users land on the sign-in page
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Your username and password")
    page.get_by_label("Password").fill("s3cret-pass-99")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{asgi_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert "replies are simulated" in page.get_by_role("status").first.inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")
