"""Audit of generated files: an explicit download is one "file downloaded" row; showing an image
inline in the page, and HEAD requests, record nothing."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from audit.models import Action, AuditEntry
from conversations.models import GeneratedFile
from conversations.services import conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def chart(finance_graph, team, settings, tmp_path) -> GeneratedFile:
    settings.MEDIA_ROOT = tmp_path
    _, members = team
    conversation = conversation_start(
        actor=members["admin"], agent=finance_graph.entry_agent, inputs="Plot it"
    )
    generated = GeneratedFile(
        conversation=conversation, remote_id="f-1", name="chart.png", type="image/png", size=4
    )
    generated.file.save("chart.png", ContentFile(b"\x89PNG"), save=False)
    generated.save()
    return generated


def _downloads() -> int:
    return AuditEntry.objects.filter(action=Action.FILE_DOWNLOAD).count()


def _viewer(api_client, team):
    api_client.force_authenticate(team[1]["viewer"])
    return api_client


def test_showing_an_image_inline_records_nothing(chart, team, api_client):
    client = _viewer(api_client, team)
    url = f"/api/files/{chart.pk}/download/?inline=1"

    for _ in range(9):  # every render and reload of the conversation page fetches it again
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"\x89PNG"
        assert "attachment" not in response.get("Content-Disposition", "")

    assert _downloads() == 0
    # Anything but a raster image asked inline is still an attachment, so it is a download.
    page = GeneratedFile.objects.create(
        conversation=chart.conversation,
        remote_id="f-2",
        name="x.html",
        type="text/html",
        size=3,
        file=chart.file.name,
    )
    response = client.get(f"/api/files/{page.pk}/download/?inline=1")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert _downloads() == 1


def test_head_records_nothing(chart, team, api_client):
    client = _viewer(api_client, team)

    plain = client.head(f"/api/files/{chart.pk}/download/")
    inline = client.head(f"/api/files/{chart.pk}/download/?inline=1")

    assert plain.status_code == inline.status_code == 200
    assert plain["Content-Disposition"].startswith("attachment")
    assert plain["Content-Length"] == "4" and plain.content == b""
    assert inline["Content-Type"] == "image/png"
    assert _downloads() == 0
    api_client.force_authenticate(team[1]["outsider"])
    assert api_client.head(f"/api/files/{chart.pk}/download/").status_code == 404


@pytest.mark.parametrize("query", ["", "?download=1", "?inline=1&download=1"])
def test_an_explicit_download_is_one_row(query, chart, team, api_client):
    client = _viewer(api_client, team)
    client.head(f"/api/files/{chart.pk}/download/")
    client.get(f"/api/files/{chart.pk}/download/?inline=1")

    response = client.get(f"/api/files/{chart.pk}/download/{query}")

    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"\x89PNG"
    rows = AuditEntry.objects.filter(action=Action.FILE_DOWNLOAD)
    assert [(r.actor_username, r.object_id) for r in rows] == [("viewer", str(chart.pk))]
