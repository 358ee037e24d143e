"""Who may open each documents page and API operation (DESIGN section 1)."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from qandas.documents.models import Document, Scan
from qandas.documents.tests.helpers import RepeatableFile, person_in, png_bytes
from qandas.lib import files
from qandas.lib.files import CleanFile
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

READERS = {"coordinator", "lawyer", "liaison", "admin"}
WRITERS = {"coordinator", "admin"}
# The person lives in Karachi: the Quetta coordinator does not see them at all.
UNSEEN = {"quetta_coordinator": 404}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    person = person_in(cast.organisation, cast.karachi)
    document = Document.objects.create(
        organisation=cast.organisation, person=person, kind="passport", number="P-1"
    )
    clean = CleanFile(png_bytes(), "image/png", "png", "scan.png")
    scan = document.add_scan(clean, by=cast.coordinator)
    return {"person": person, "document": document, "scan": scan}


def documents_of(o: dict[str, Any]) -> Any:
    return list(Document.objects.filter(person=o["person"]).values_list("pk", flat=True))


def document_state(o: dict[str, Any]) -> Any:
    return Document.objects.filter(pk=o["document"].pk).values(
        "kind", "number", "issuer", "issued_on", "valid_until", "status", "respected_at_arrest"
    )[0]


def scans_of(o: dict[str, Any]) -> Any:
    stored = sorted(p.name for p in Path(files._directory()).iterdir())
    return list(Scan.objects.values_list("pk", flat=True)), stored


NEW_DOCUMENT = {"kind": "tazkira", "number": "T-9", "status": "valid"}
CHANGE = {"kind": "passport", "number": "CHANGED", "status": "revoked"}
UPLOAD = {"file": RepeatableFile("scan.png", png_bytes())}

HTML_CASES = [
    Case(
        "documents:create",
        lambda o: f"/people/{o['person'].code}/documents/new/",
        WRITERS,
        overrides=UNSEEN,
    ),
    Case(
        "documents:create",
        lambda o: f"/people/{o['person'].code}/documents/new/",
        WRITERS,
        method="post",
        data={**NEW_DOCUMENT, "respected_at_arrest": "unknown"},
        overrides=UNSEEN,
        unchanged=documents_of,
    ),
    Case(
        "documents:edit",
        lambda o: f"/documents/{o['document'].code}/edit/",
        WRITERS,
        overrides=UNSEEN,
    ),
    Case(
        "documents:edit",
        lambda o: f"/documents/{o['document'].code}/edit/",
        WRITERS,
        method="post",
        data={**CHANGE, "respected_at_arrest": "ignored"},
        overrides=UNSEEN,
        unchanged=document_state,
    ),
    Case(
        "documents:scan_upload",
        lambda o: f"/documents/{o['document'].code}/scans/new/",
        WRITERS,
        overrides=UNSEEN,
    ),
    Case(
        "documents:scan_upload",
        lambda o: f"/documents/{o['document'].code}/scans/new/",
        WRITERS,
        method="post",
        data=UPLOAD,
        overrides=UNSEEN,
        unchanged=scans_of,
    ),
    Case(
        "documents:scan_download",
        lambda o: f"/scans/{o['scan'].code}/download/",
        READERS,
        overrides=UNSEEN,
    ),
]

API_CASES = [
    Case(
        "GET /api/v1/documents",
        lambda o: f"/api/v1/documents?person={o['person'].code}",
        # Everyone but the analyst may list; each sees only what is theirs (tested apart).
        READERS | {"quetta_coordinator", "outsider", "outsider_admin"},
    ),
    Case(
        "POST /api/v1/documents",
        lambda o: "/api/v1/documents",
        WRITERS,
        method="post",
        data=None,  # set per test: it needs the person's code
        overrides=UNSEEN,
        unchanged=documents_of,
    ),
    Case(
        "GET /api/v1/documents/{code}",
        lambda o: f"/api/v1/documents/{o['document'].code}",
        READERS,
        overrides=UNSEEN,
    ),
    Case(
        "PATCH /api/v1/documents/{code}",
        lambda o: f"/api/v1/documents/{o['document'].code}",
        WRITERS,
        method="patch",
        data=CHANGE,
        overrides=UNSEEN,
        unchanged=document_state,
    ),
    Case(
        "POST /api/v1/documents/{code}/scans",
        lambda o: f"/api/v1/documents/{o['document'].code}/scans",
        WRITERS,
        method="post",
        # The access matrix sends JSON, not multipart: writers pass the gate and are
        # told to send a file (400). Real uploads are tested in test_api.py.
        overrides={**UNSEEN, "coordinator": 400, "admin": 400},
        unchanged=scans_of,
    ),
    Case(
        "GET /api/v1/scans/{code}/download",
        lambda o: f"/api/v1/scans/{o['scan'].code}/download",
        READERS,
        overrides=UNSEEN,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    run_case(client, cast, objects, case, api=False)


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: f"{c.name}")
def test_api_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    if case.name == "POST /api/v1/documents":
        case = Case(
            **{**case.__dict__, "data": {**NEW_DOCUMENT, "person": str(objects["person"].code)}}
        )
    run_case(client, cast, objects, case, api=True)
