"""First turns of several conversations on a never-synced graph sync it once, not in a race."""

import threading

import pytest
from django.db import connection

from integrations.mistral.models import RemoteAgent
from integrations.mistral.sync import graph_sync

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_concurrent_first_syncs_of_a_graph_do_not_collide(finance_graph, asgi_server, settings):
    settings.SANDBOX_BASE_URL = f"{asgi_server.url}/sandbox"
    results, errors = [], []

    def sync():
        try:
            results.append({a: r.remote_id for a, r in graph_sync(finance_graph).items()})
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sync) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert RemoteAgent.objects.filter(agent__graph=finance_graph).count() == 5
