"""The documents API: lists, writes, uploads and downloads."""

from importlib import import_module
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from qandas.audit.models import AuditEvent, Verb
from qandas.documents.models import Document, Scan
from qandas.documents.tests.helpers import person_in, png_bytes
from qandas.people.models import Person
from qandas.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(cast: Cast) -> Person:
    return person_in(cast.organisation, cast.karachi)


def auth(cast: Cast, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {cast.token(name)}"}


def post(client: Client, cast: Cast, name: str, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json", headers=auth(cast, name))


def test_create_read_list_and_patch(client: Client, cast: Cast, person: Person) -> None:
    response = post(
        client,
        cast,
        "coordinator",
        "/api/v1/documents",
        {
            "person": str(person.code),
            "kind": "protection_letter",
            "number": "MOI-77",
            "issuer": "Ministry of Interior",
            "issued_on": "2024-03-01",
            "valid_until": "2025-03-01",
            "status": "valid",
            "respected_at_arrest": "not_shown",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"] == str(person.code)
    assert (body["kind"], body["respected_at_arrest"], body["is_expired"]) == (
        "protection_letter",
        "not_shown",
        True,
    )
    code = body["code"]
    created = AuditEvent.objects.get(verb=Verb.CREATE, object_code=code)
    assert "number" in created.fields

    other = person_in(cast.organisation, cast.karachi, "Other Person")
    Document.objects.create(organisation=cast.organisation, person=other, kind="tazkira")
    listed = client.get(
        f"/api/v1/documents?person={person.code}", headers=auth(cast, "liaison")
    ).json()
    assert listed["count"] == 1 and listed["results"][0]["code"] == code
    assert client.get("/api/v1/documents", headers=auth(cast, "lawyer")).json()["count"] == 2
    for outsider in ("outsider", "outsider_admin", "quetta_coordinator"):
        seen = client.get("/api/v1/documents", headers=auth(cast, outsider)).json()
        assert seen == {"count": 0, "results": []}, outsider

    response = client.patch(
        f"/api/v1/documents/{code}",
        {"valid_until": None, "status": "revoked"},
        content_type="application/json",
        headers=auth(cast, "admin"),
    )
    assert response.status_code == 200
    assert (response.json()["valid_until"], response.json()["status"]) == (None, "revoked")
    updated = AuditEvent.objects.get(verb=Verb.UPDATE, object_code=code)
    assert updated.fields == ["status", "valid_until"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"issued_on": "2024-05-01", "valid_until": "2024-04-01"}, "before the issue date"),
        ({"issued_on": "2999-01-01"}, "cannot be in the future"),
        ({"kind": "Passport"}, "kind"),
        ({"number": "x" * 101}, "number"),
    ],
)
def test_bad_input_is_422_with_a_message(
    client: Client, cast: Cast, person: Person, data: dict[str, str], message: str
) -> None:
    payload = {"person": str(person.code), "kind": "passport", **data}
    response = post(client, cast, "coordinator", "/api/v1/documents", payload)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not Document.objects.exists()


def test_a_patch_that_breaks_the_dates_changes_nothing(
    client: Client, cast: Cast, person: Person
) -> None:
    document = Document.objects.create(
        organisation=cast.organisation, person=person, kind="passport", number="P-1"
    )
    response = client.patch(
        f"/api/v1/documents/{document.code}",
        {"number": "P-2", "issued_on": "2024-05-01", "valid_until": "2024-04-01"},
        content_type="application/json",
        headers=auth(cast, "coordinator"),
    )
    assert response.status_code == 422
    document.refresh_from_db()
    assert (document.number, document.issued_on) == ("P-1", None)


def test_upload_and_download_a_scan(
    client: Client, cast: Cast, person: Person, private_files: Path
) -> None:
    document = Document.objects.create(organisation=cast.organisation, person=person, kind="other")
    url = f"/api/v1/documents/{document.code}/scans"
    bad = client.post(
        url,
        {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
        headers=auth(cast, "coordinator"),
    )
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("This file is not a PDF, JPEG or PNG")
    assert not Scan.objects.exists()

    response = client.post(
        url, {"file": SimpleUploadedFile("../id.png", png_bytes())}, headers=auth(cast, "admin")
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["display_name"], body["content_type"]) == ("id.png", "image/png")
    scan = Scan.objects.get(code=body["code"])
    assert body["sha256"] == scan.sha256 and len(body["sha256"]) == 64

    listed = client.get(f"/api/v1/documents/{document.code}", headers=auth(cast, "liaison"))
    assert [s["code"] for s in listed.json()["scans"]] == [body["code"]]

    download = client.get(f"/api/v1/scans/{scan.code}/download", headers=auth(cast, "liaison"))
    assert download.status_code == 200
    # A name made by the server, never the uploader's (R13, R17).
    assert (
        download["Content-Disposition"] == f'attachment; filename="scan-{str(scan.code)[:8]}.png"'
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == scan.path.read_bytes()  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(verb=Verb.DOWNLOAD, object_code=scan.code)
    assert (event.actor, event.via) == (cast.liaison, "api")


def test_openapi_lists_the_documents_operations(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/documents"]) == {"get", "post"}
    assert set(paths["/api/v1/documents/{code}"]) == {"get", "patch"}
    assert set(paths["/api/v1/documents/{code}/scans"]) == {"post"}
    assert set(paths["/api/v1/scans/{code}/download"]) == {"get"}


def test_a_number_is_kept_as_numbers_are_compared_through_every_write(
    client: Client, cast: Cast, person: Person
) -> None:
    """``number_key`` (letters and digits, case folded) follows the number when a
    document is made and when only its number is patched; the key rows of documents made
    before it are filled by migration 0003."""
    response = post(
        client,
        cast,
        "coordinator",
        "/api/v1/documents",
        {"person": str(person.code), "kind": "passport", "number": "AB 123-456"},
    )
    assert response.status_code == 201, response.json()
    document = Document.objects.get(code=response.json()["code"])
    assert document.number_key == "ab123456"
    response = client.patch(
        f"/api/v1/documents/{document.code}",
        {"number": "cd/7"},
        content_type="application/json",
        headers=auth(cast, "admin"),
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert (document.number, document.number_key) == ("cd/7", "cd7")

    Document.objects.filter(pk=document.pk).update(number_key="")  # as before 0003
    fill = import_module("qandas.documents.migrations.0003_document_number_key").key_numbers
    fill(apps, SimpleNamespace(quote_name=connection.ops.quote_name, connection=connection))
    document.refresh_from_db()
    assert document.number_key == "cd7"
