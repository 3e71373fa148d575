"""Libraries and documents through the real SDK (`client.beta.libraries[.documents]`), and a
`document_library` tool that finds what the libraries really hold (or says one is missing)."""

from __future__ import annotations

import httpx2
import pytest
from mistralai.client.errors import SDKError
from mistralai.client.models import TextChunk, ToolExecutionEntry, ToolReferenceChunk

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
POLICY_TEXT = b"Refund policy: customers may ask for a refund within 30 days of the invoice date."


def test_library_and_document_lifecycle(client):
    libraries = client.beta.libraries
    created = libraries.create(name="Billing docs", description="Invoices and refunds")
    assert created.name == "Billing docs" and created.nb_documents == 0
    assert created.id in [lib.id for lib in libraries.list().data]
    renamed = libraries.update(library_id=created.id, name="Billing")
    assert renamed.name == "Billing"

    documents = libraries.documents
    doc = documents.upload(
        library_id=created.id,
        file={"file_name": "refunds.txt", "content": POLICY_TEXT, "content_type": "text/plain"},
    )
    assert doc.name == "refunds.txt" and doc.size == len(POLICY_TEXT)
    assert libraries.get(library_id=created.id).nb_documents == 1
    listed = documents.list(library_id=created.id)
    assert [d.id for d in listed.data] == [doc.id] and listed.pagination.total_items == 1
    assert documents.get(library_id=created.id, document_id=doc.id).extension == "txt"
    text = documents.text_content(library_id=created.id, document_id=doc.id)
    assert text.text == POLICY_TEXT.decode()
    assert documents.status(library_id=created.id, document_id=doc.id).process_status == "done"
    url = documents.get_signed_url(library_id=created.id, document_id=doc.id)
    assert httpx2.get(url).content == POLICY_TEXT  # no key needed
    assert httpx2.get(url.replace("signature=", "signature=x")).status_code == 403

    documents.delete(library_id=created.id, document_id=doc.id)
    assert documents.list(library_id=created.id).data == []
    libraries.delete(library_id=created.id)
    with pytest.raises(SDKError) as caught:
        libraries.get(library_id=created.id)
    assert caught.value.status_code == 404


def test_document_library_tool_reads_the_library(client):
    library = client.beta.libraries.create(name="Billing")
    client.beta.libraries.documents.upload(
        library_id=library.id, file={"file_name": "refunds.txt", "content": POLICY_TEXT}
    )
    agent = client.beta.agents.create(
        model="mistral-medium-latest",
        name="billing",
        tools=[{"type": "document_library", "library_ids": [library.id, "lib_missing"]}],
    )
    response = client.beta.conversations.start(
        agent_id=agent.id, inputs="How long do customers have to ask for a refund?"
    )
    assert isinstance(response.outputs[0], ToolExecutionEntry)
    chunks = response.outputs[1].content
    texts = " ".join(c.text for c in chunks if isinstance(c, TextChunk))
    assert "no library lib_missing exists" in texts
    assert "within 30 days of the invoice date" in texts
    [reference] = [c for c in chunks if isinstance(c, ToolReferenceChunk)]
    assert reference.title == "refunds.txt"


def test_library_bad_input(client, sandbox_url):
    from django.conf import settings

    auth = {"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"}
    response = httpx2.post(f"{sandbox_url}/v1/libraries", json={"description": "x"}, headers=auth)
    assert response.status_code == 422 and "name" in response.text
    response = httpx2.post(f"{sandbox_url}/v1/libraries/nope/documents",
                           files={"file": ("a.txt", b"x")}, headers=auth)  # fmt: skip
    assert response.status_code == 404
    assert httpx2.get(f"{sandbox_url}/v1/libraries").status_code == 401
