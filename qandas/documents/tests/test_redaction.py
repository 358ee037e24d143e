"""Redacting a person blanks their documents and removes their scans."""

from pathlib import Path
from typing import Any

import pytest

from qandas.documents.models import Document, Scan
from qandas.documents.tests.helpers import person_in, png_bytes
from qandas.lib.files import CleanFile
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def test_redaction_blanks_documents_and_deletes_scans(
    cast: Cast, private_files: Path, django_capture_on_commit_callbacks: Any
) -> None:
    person = person_in(cast.organisation, cast.karachi)
    bystander = person_in(cast.organisation, cast.karachi, "Someone Else")
    document = Document.objects.create(
        organisation=cast.organisation, person=person, kind="passport", number="P-1", issuer="MFA"
    )
    kept = Document.objects.create(
        organisation=cast.organisation, person=bystander, kind="passport", number="P-2"
    )
    clean = CleanFile(png_bytes(), "image/png", "png", "scan.png")
    scan = document.add_scan(clean, by=cast.coordinator)
    other_scan = kept.add_scan(clean, by=cast.coordinator)
    path = scan.path

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        blanked = person.redact(by=cast.admin)
    assert path.exists()  # the file outlives the transaction until it commits
    for callback in callbacks:
        callback()

    assert {"documents.number", "documents.issuer", "documents.scans"} <= set(blanked)
    document.refresh_from_db()
    assert (document.number, document.issuer, document.kind) == ("", "", "passport")
    assert document.number_key == ""  # nor can it be found by its number
    assert not Scan.objects.filter(pk=scan.pk).exists()
    assert not path.exists()
    kept.refresh_from_db()
    assert (kept.number, kept.number_key) == ("P-2", "p2") and other_scan.path.exists()


def test_redacting_a_person_without_documents_blanks_nothing_here(cast: Cast) -> None:
    person = person_in(cast.organisation, cast.karachi)
    blanked = person.redact(by=cast.admin)
    assert not [name for name in blanked if name.startswith("documents.")]
