"""Peak Python memory of a 100,000-row audit export, streamed vs. materialised.

    .venv/bin/python scripts/audit_export_memory.py [--rows 100000] [--database-url URL]

Uses a fresh SQLite file unless --database-url (or DATABASE_URL) names another database, which
must be empty or disposable: the script migrates it and adds rows. It signs in a workspace admin,
GETs /workspaces/<id>/audit/export.csv and .jsonl through Django's test client and reads every
streamed chunk, with tracemalloc tracing; then, for comparison, loads the same rows into one list.
The last line printed is one JSON object (bytes). Not a test: numbers go in the issue's note.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="audit-mem-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/audit.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentstudio.settings.dev")
    os.environ.setdefault("SECRET_KEY", "audit-memory-script-" + "x" * 40)
    os.environ["DATA_DIR"] = tmp

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from audit.models import Action, AuditEntry
    from audit.views import EXPORT_FIELDS
    from workspaces.services import workspace_create

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False  # DEBUG keeps every query in memory; production does not
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("memadmin", password="pw-mem-12345")
    workspace = workspace_create(actor=user, name="Memory")

    started = time.monotonic()
    batch = 5_000
    for start in range(0, args.rows, batch):
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=user,
                    actor_username=user.username,
                    action=Action.AGENT_UPDATE,
                    object_type="agent",
                    object_id=f"{i:08d}",
                    object_repr=f"agent {i}",
                    workspace=workspace,
                    workspace_name=workspace.name,
                    before={"instructions": "Answer briefly. " * 8, "tools": []},
                    after={"instructions": "Answer in detail. " * 8, "tools": [{"type": "x"}]},
                    ip="192.0.2.1",
                    user_agent="Mozilla/5.0 (X11; Linux x86_64) memory-script",
                    request="PATCH /api/agents/x/",
                )
                for i in range(start, min(start + batch, args.rows))
            ]
        )
    seeded_s = time.monotonic() - started

    client = Client()
    client.force_login(user)
    results: dict = {
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "rows": AuditEntry.objects.filter(workspace=workspace).count(),
        "seed_seconds": round(seeded_s, 1),
    }
    for kind in ("csv", "jsonl"):
        # Warm up (imports, URL resolver, first query) so the peak is the export's alone.
        for _ in client.get(
            f"/workspaces/{workspace.pk}/audit/export.{kind}", {"actor": "nobody"}
        ).streaming_content:
            pass
        tracemalloc.start()
        t0 = time.monotonic()
        response = client.get(f"/workspaces/{workspace.pk}/audit/export.{kind}")
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[kind] = {
            "streaming": response.streaming,
            "bytes_out": size,
            "lines": lines,
            "peak_traced_bytes": peak,
            "seconds": round(time.monotonic() - t0, 2),
        }

    tracemalloc.start()
    everything = list(AuditEntry.objects.filter(workspace=workspace).values(*EXPORT_FIELDS))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results["materialised_list_peak_traced_bytes"] = peak
    del everything
    sys.stdout.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
