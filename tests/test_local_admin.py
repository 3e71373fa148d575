"""`ensure_local_admin`: the generated password is printed while it is still the admin's, and
forgotten (its file removed) once someone changed it."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agentstudio.management.commands import ensure_local_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentials_file(tmp_path, monkeypatch):
    path = tmp_path / "admin-credentials.txt"
    monkeypatch.setattr(ensure_local_admin, "DATA_DIR", tmp_path)
    monkeypatch.setattr(ensure_local_admin, "CREDENTIALS_FILE", path)
    return path


def run() -> str:
    out = io.StringIO()
    call_command("ensure_local_admin", stdout=out)
    return out.getvalue().strip()


def test_created_then_printed_again_while_current(credentials_file):
    created = run()
    assert created.startswith("Created the local admin account: admin / ")
    password = created.rsplit(" / ", 1)[1]
    assert credentials_file.read_text() == f"admin\n{password}\n"
    assert oct(credentials_file.stat().st_mode & 0o777) == "0o600"
    assert run() == f"Local admin account: admin / {password}"


def test_a_changed_password_is_never_printed_and_its_file_goes(credentials_file):
    old = run().rsplit(" / ", 1)[1]
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("a-new-secret-456")
    admin.save()

    again = run()
    assert old not in again and "a-new-secret-456" not in again
    assert "changepassword admin" in again
    assert not credentials_file.exists()  # no stale password kept on disk
    assert run() == again


def test_an_admin_made_elsewhere_keeps_its_password_to_itself(credentials_file, make_user):
    make_user("admin", password="chosen-by-hand-789")
    assert "chosen-by-hand" not in run()
    assert not credentials_file.exists()
