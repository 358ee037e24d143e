"""Document pages: add, edit, upload and download, and the list on the person page."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from qandas.audit.models import AuditEvent, Verb
from qandas.documents.models import Document, Scan
from qandas.documents.tests.helpers import person_in, png_bytes
from qandas.documents.views import person_url
from qandas.people.models import Person
from qandas.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(cast: Cast) -> Person:
    return person_in(cast.organisation, cast.karachi)


@pytest.fixture
def document(cast: Cast, person: Person) -> Document:
    return Document.objects.create(
        organisation=cast.organisation, person=person, kind="por_card", number="POR-1"
    )


def form(**changes: str) -> dict[str, str]:
    return {
        "kind": "passport",
        "number": "P-123",
        "issuer": "Ministry of Foreign Affairs",
        "issued_on": "2020-01-02",
        "valid_until": "2030-01-01",
        "status": "valid",
        "respected_at_arrest": "ignored",
        **changes,
    }


def test_a_coordinator_adds_a_document(client: Client, cast: Cast, person: Person) -> None:
    client.force_login(cast.coordinator)
    page = client.get(f"/people/{person.code}/documents/new/")
    assert page.status_code == 200
    assert "Aigerim Test" in page.content.decode()
    response = client.post(f"/people/{person.code}/documents/new/", form())
    assert response.status_code == 302
    assert response["Location"] == person_url(person) == f"/people/{person.code}/"
    document = Document.objects.get(person=person)
    assert (document.kind, document.number, document.organisation) == (
        "passport",
        "P-123",
        cast.organisation,
    )
    assert document.created_by == cast.coordinator
    event = AuditEvent.objects.get(verb=Verb.CREATE, object_code=document.code)
    assert event.actor == cast.coordinator and event.organisation == cast.organisation
    assert "number" in event.fields and "P-123" not in str(event.fields)


def test_an_edit_records_the_changed_fields(client: Client, cast: Cast, document: Document) -> None:
    client.force_login(cast.admin)
    response = client.post(
        f"/documents/{document.code}/edit/",
        form(
            kind="por_card",
            number="POR-2",
            issuer="",
            issued_on="",
            valid_until="",
            status="unverified",
            respected_at_arrest="unknown",
        ),
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.number == "POR-2"
    event = AuditEvent.objects.get(verb=Verb.UPDATE, object_code=document.code)
    assert event.fields == ["number"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"issued_on": "2021-05-01", "valid_until": "2021-04-30"},
            "valid_until",
            "cannot be before the issue date",
        ),
        (
            {"issued_on": (date.today() + timedelta(days=3)).isoformat(), "valid_until": ""},
            "issued_on",
            "cannot be in the future",
        ),
        ({"kind": "driving_licence"}, "kind", "Select a valid choice"),
    ],
)
def test_impossible_documents_are_refused(
    client: Client, cast: Cast, person: Person, changes: dict[str, str], field: str, message: str
) -> None:
    client.force_login(cast.coordinator)
    response = client.post(f"/people/{person.code}/documents/new/", form(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Document.objects.filter(person=person).exists()


def test_a_scan_is_uploaded_cleaned_and_downloaded(
    client: Client, cast: Cast, document: Document, private_files: Path
) -> None:
    client.force_login(cast.coordinator)
    assert client.get(f"/documents/{document.code}/scans/new/").status_code == 200
    upload = SimpleUploadedFile("../../Паспорт\u202egnp.exe", png_bytes(), "text/html")
    response = client.post(f"/documents/{document.code}/scans/new/", {"file": upload})
    assert response.status_code == 302
    scan = Scan.objects.get(document=document)
    assert scan.display_name == "Паспортgnp.png"
    assert scan.content_type == "image/png" and scan.uploaded_by == cast.coordinator
    assert [p.name for p in private_files.iterdir()] == [scan.storage_name]
    assert scan.size == scan.path.stat().st_size
    created = AuditEvent.objects.get(verb=Verb.CREATE, object_code=scan.code)
    assert created.organisation == cast.organisation

    client.force_login(cast.lawyer)
    response = client.get(f"/scans/{scan.code}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == scan.path.read_bytes()  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(verb=Verb.DOWNLOAD, object_code=scan.code)
    assert (event.actor, event.organisation, event.object_type) == (
        cast.lawyer,
        cast.organisation,
        "documents.scan",
    )


def test_a_refused_file_is_shown_next_to_the_field_and_nothing_is_saved(
    client: Client, cast: Cast, document: Document, private_files: Path
) -> None:
    client.force_login(cast.coordinator)
    polyglot = png_bytes() + b"<html><script>alert(1)</script>"
    response = client.post(
        f"/documents/{document.code}/scans/new/",
        {"file": SimpleUploadedFile("x.png", polyglot)},
    )
    assert response.status_code == 200
    assert "hidden after its end" in response.context["form"].errors["file"][0]
    html = response.content.decode()
    assert 'class="field invalid"' in html and "hidden after its end" in html
    assert not Scan.objects.exists()
    assert not private_files.exists() or not any(private_files.iterdir())


def test_a_scan_whose_file_is_gone_is_a_404(client: Client, cast: Cast, document: Document) -> None:
    client.force_login(cast.coordinator)
    client.post(
        f"/documents/{document.code}/scans/new/",
        {"file": SimpleUploadedFile("x.png", png_bytes())},
    )
    scan = Scan.objects.get()
    scan.path.unlink()
    assert client.get(f"/scans/{scan.code}/download/").status_code == 404
    assert not AuditEvent.objects.filter(verb=Verb.DOWNLOAD).exists()


def test_the_person_page_partial(cast: Cast, person: Person, document: Document) -> None:
    document.valid_until = timezone.localdate() - timedelta(days=1)
    document.save()
    Document.objects.create(organisation=cast.organisation, person=person, kind="tazkira")
    documents = person.documents.prefetch_related("scans")
    html = render_to_string(
        "documents/_for_person.html",
        {"person": person, "documents": documents, "can_edit": True},
    )
    assert "POR-1" in html and "PoR card" in html and "Tazkira" in html
    assert html.count("Expired") == 1
    assert f"/documents/{document.code}/edit/" in html
    assert f"/documents/{document.code}/scans/new/" in html
    assert f"/people/{person.code}/documents/new/" in html
    read_only = render_to_string(
        "documents/_for_person.html",
        {"person": person, "documents": documents, "can_edit": False},
    )
    assert "/edit/" not in read_only and "/documents/new/" not in read_only
