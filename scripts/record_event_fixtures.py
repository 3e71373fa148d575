"""Record the handoffs guide's two transcripts (seeds/001) as event-log fixtures.

Runs the real engine in this process (services, recorder, flusher, the `mistralai` SDK) against
the sandbox served by uvicorn on a free port, with a throwaway SQLite database, then writes for
each example what the log and the entries hold:

  conversations/tests/fixtures/handoffs_example_<a|b>.jsonl         one event a line:
                                                                    {"seq", "type", "data"}
  conversations/tests/fixtures/handoffs_example_<a|b>.entries.json  the entries as the engine
                                                                    wrote them (projection shape)

Example A follows the guide's transcript (the sandbox's scenario handoffs_example_a.yaml);
example B comes from the sandbox's policy, with a person answering the ECB function call "2.5%".
Usage: .venv/bin/python scripts/record_event_fixtures.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "conversations" / "tests" / "fixtures"
sys.path.insert(0, str(ROOT))

EXAMPLE_A = (
    "Fetch the current US bank interest rate and calculate the compounded effect if investing "
    "for the next 10y"
)
EXAMPLE_B = (
    "Given the interest rate of the European Central Bank as of jan 2025, plot a graph of the "
    "compounded interest rate over the next 10 years"
)


def start_sandbox(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "agentstudio.asgi:application", "--port", str(port),
         "--host", "127.0.0.1", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the sandbox did not answer within 30 s")


def run_queued(sent: list[str]) -> None:
    from conversations.engine.lifecycle import run_turn_chain

    while sent:
        run_turn_chain(sent.pop(0))


def entry_row(entry) -> dict:
    data = {k: v for k, v in entry.data.items() if k != "next_agent"}  # a local id
    return {
        "key": entry.remote_id or str(entry.pk),
        "type": entry.type,
        "agent_name": entry.agent.name if entry.agent else None,
        "role": entry.role,
        "text": entry.text,
        "data": data,
    }


def record(conversation, name: str) -> None:
    from conversations.models import Status

    conversation.refresh_from_db()
    if conversation.status != Status.COMPLETED:
        raise SystemExit(f"{name} ended {conversation.status}: {conversation.error}")
    events = conversation.events.order_by("seq")
    lines = [json.dumps({"seq": e.seq, "type": e.type, "data": e.data}) for e in events]
    (OUT / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
    entries = [entry_row(e) for e in conversation.entries.select_related("agent")]
    (OUT / f"{name}.entries.json").write_text(json.dumps(entries, indent=2) + "\n")
    print(f"{name}: {len(lines)} events, {len(entries)} entries")


def main() -> None:
    from agentstudio.redis_server import free_port

    tmp = Path(tempfile.mkdtemp(prefix="record-fixtures-"))
    port = free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="agentstudio.settings.test",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        SANDBOX_BASE_URL=f"http://127.0.0.1:{port}/sandbox",
        SANDBOX_DELAY_MS="0",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    server = start_sandbox(dict(os.environ), port)
    try:
        from django.contrib.auth import get_user_model

        from agents.demo import FINANCE
        from agents.services import graph_import
        from conversations import queue
        from conversations.models import PendingAction
        from conversations.services import conversation_start, pending_resolve
        from workspaces.services import workspace_create

        sent: list[str] = []
        queue.send_turn = lambda turn_id: sent.append(str(turn_id))  # run here, not by a worker
        user = get_user_model().objects.create_user("operator", password="recording-only")
        workspace = workspace_create(actor=user, name="Fixtures")
        graph = graph_import(actor=user, workspace=workspace, document=FINANCE)
        OUT.mkdir(parents=True, exist_ok=True)

        a = conversation_start(actor=user, agent=graph.entry_agent, inputs=EXAMPLE_A)
        run_queued(sent)
        record(a, "handoffs_example_a")

        b = conversation_start(actor=user, agent=graph.entry_agent, inputs=EXAMPLE_B)
        run_queued(sent)
        action = PendingAction.objects.get(conversation=b, status=PendingAction.State.PENDING)
        pending_resolve(actor=user, action=action, result="2.5%")
        run_queued(sent)
        record(b, "handoffs_example_b")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
