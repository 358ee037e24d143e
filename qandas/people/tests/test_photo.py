"""A person's photo: re-encoded, stored privately, shown only to those who may see it."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from qandas.audit.models import AuditEvent, Verb
from qandas.lib import files
from qandas.people.models import Person
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def png_upload(name: str = "face.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", (60, 80), (200, 170, 150))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # a camera make, which must not survive
    image.save(buffer, format="PNG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def person(cast: Cast) -> Person:
    person = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    person.set_names([{"text": "Madina Omarova"}])
    return person


def test_a_coordinator_adds_a_photo_that_only_readers_see(
    client: Client, cast: Cast, person: Person
) -> None:
    client.force_login(cast.coordinator)
    response = client.post(f"/people/{person.code}/photo/new/", {"photo": png_upload()})
    assert response.status_code == 302
    person.refresh_from_db()
    stored = files.path_of(person.photo)
    assert stored.exists() and b"PhoneMaker" not in stored.read_bytes()
    page = client.get(f"/people/{person.code}/").content.decode()
    assert f'src="/people/{person.code}/photo/"' in page
    image = client.get(f"/people/{person.code}/photo/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        verb=Verb.VIEW, object_code=person.code, fields=["photo"]
    ).exists()
    assert AuditEvent.objects.filter(
        verb=Verb.UPDATE, object_code=person.code, fields=["photo"]
    ).exists()


def test_a_pdf_or_a_fake_is_not_a_photo_and_nothing_changes(
    client: Client, cast: Cast, person: Person
) -> None:
    client.force_login(cast.coordinator)
    fake = SimpleUploadedFile("face.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(f"/people/{person.code}/photo/new/", {"photo": fake})
    assert response.status_code == 200
    assert "PDF, JPEG or PNG" in response.content.decode()
    pdf = SimpleUploadedFile("face.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(f"/people/{person.code}/photo/new/", {"photo": pdf})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.photo == ""


def test_replacing_and_redacting_remove_the_old_files(
    cast: Cast, person: Person, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        person.set_photo(files.clean_upload(png_upload()), by=cast.coordinator)
    first = files.path_of(person.photo)
    with django_capture_on_commit_callbacks(execute=True):
        person.set_photo(files.clean_upload(png_upload()), by=cast.coordinator)
    second = files.path_of(person.photo)
    assert not first.exists() and second.exists()
    with django_capture_on_commit_callbacks(execute=True):
        blanked = person.redact(by=cast.admin)
    assert "photo" in blanked and not second.exists()
    person.refresh_from_db()
    assert person.photo == ""


def test_the_api_takes_and_gives_the_photo(client: Client, cast: Cast, person: Person) -> None:
    headers = {"Authorization": f"Bearer {cast.token('coordinator')}"}
    response = client.post(
        f"/api/v1/people/{person.code}/photo", {"photo": png_upload()}, headers=headers
    )
    assert response.status_code == 200 and response.json()["has_photo"] is True
    missing = client.post(f"/api/v1/people/{person.code}/photo", {}, headers=headers)
    assert missing.status_code == 400 and "photo" in missing.json()["detail"]
    reader = {"Authorization": f"Bearer {cast.token('liaison')}"}
    download = client.get(f"/api/v1/people/{person.code}/photo", headers=reader)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    analyst = {"Authorization": f"Bearer {cast.token('analyst')}"}
    assert client.get(f"/api/v1/people/{person.code}/photo", headers=analyst).status_code == 403
