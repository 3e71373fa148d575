"""The files API the SDK offers, through the real SDK: upload (multipart), retrieve, list,
download, delete, and signed URLs that work without the key (and only with a valid signature)."""

from __future__ import annotations

import httpx2
import pytest
from mistralai.client.errors import SDKError

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
PDF = b"%PDF-1.4 sandbox test document\n"


def test_upload_retrieve_list_download_delete(client):
    uploaded = client.files.upload(
        file={"file_name": "report.pdf", "content": PDF, "content_type": "application/pdf"},
        purpose="ocr",
    )
    assert uploaded.filename == "report.pdf" and uploaded.size_bytes == len(PDF)
    assert uploaded.purpose == "ocr" and uploaded.source == "upload"
    meta = client.files.retrieve(file_id=uploaded.id)
    assert meta.id == uploaded.id and meta.mimetype == "application/pdf"
    listed = client.files.list(page=0, page_size=100)
    assert uploaded.id in [f.id for f in listed.data] and listed.total >= 1
    download = client.files.download(file_id=uploaded.id)
    try:
        assert download.read() == PDF
    finally:
        download.close()
    deleted = client.files.delete(file_id=uploaded.id)
    assert deleted.deleted is True and deleted.id == uploaded.id
    with pytest.raises(SDKError) as caught:
        client.files.retrieve(file_id=uploaded.id)
    assert caught.value.status_code == 404


def test_signed_url_works_without_the_key_and_only_signed(client):
    uploaded = client.files.upload(file={"file_name": "notes.txt", "content": b"hello"})
    signed = client.files.get_signed_url(file_id=uploaded.id, expiry=1)
    response = httpx2.get(signed.url)  # no Authorization header at all
    assert response.status_code == 200 and response.content == b"hello"
    assert "attachment" in response.headers["content-disposition"]
    tampered = signed.url.replace("signature=", "signature=0")
    assert httpx2.get(tampered).status_code == 403
    other = client.files.upload(file={"file_name": "other.txt", "content": b"secret"})
    forged = signed.url.replace(uploaded.id, other.id)
    assert httpx2.get(forged).status_code == 403
    unsigned = signed.url.split("?")[0]
    assert httpx2.get(unsigned).status_code == 403


def test_upload_without_a_file_is_a_422_and_the_key_is_required(client, sandbox_url):
    from django.conf import settings

    response = httpx2.post(
        f"{sandbox_url}/v1/files",
        data={"purpose": "ocr"},
        headers={"Authorization": f"Bearer {settings.SANDBOX_API_KEY}"},
    )
    assert response.status_code == 422 and "file" in response.text
    response = httpx2.post(f"{sandbox_url}/v1/files", files={"file": ("a.txt", b"x")})
    assert response.status_code == 401
