"""A batch exported for the embassy: rows, the XLSX cell by cell, the PDF, the audit."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pikepdf
import pytest
from django.test import Client
from django.utils import timezone

from qandas.applications.models import (
    Application,
    ApplicationKind,
    Authority,
    AuthorityKind,
    Batch,
    Status,
)
from qandas.audit.models import AuditEvent, Verb
from qandas.correspondence import exports
from qandas.documents.models import Document, DocumentKind, DocumentStatus
from qandas.people.models import DatePrecision, Household, Person, Relationship
from qandas.test import Cast

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRICKY = '=HYPERLINK("x")'


def person(
    cast: Cast,
    names: list[str],
    *,
    household: Household | None = None,
    relationship: str = "",
    born: date | None = None,
    precision: str = DatePrecision.DAY,
    father: str = "",
) -> Person:
    made = Person.objects.create(
        organisation=cast.organisation,
        current_city=cast.karachi,
        household=household,
        relationship=relationship,
        birth_date=born,
        birth_date_precision=precision,
        father_name=father,
    )
    made.set_names([{"text": text} for text in names])
    return made


def paper(who: Person, kind: str, number: str, status: str, **extra: Any) -> Document:
    return Document.objects.create(
        organisation=who.organisation, person=who, kind=kind, number=number, status=status, **extra
    )


@pytest.fixture
def batch(cast: Cast) -> Batch:
    embassy = Authority.objects.create(
        organisation=cast.organisation, kind=AuthorityKind.EMBASSY, name="Test Embassy"
    )
    batch = Batch.objects.create(organisation=cast.organisation, name="Requests of 4 people")
    # A person applying alone: Latin name first, Cyrillic second, papers in a mixed order.
    alone = person(
        cast,
        ["Nurlan Testov", "Тестов Нұрлан", "نورلان تستوف"],
        born=date(1971, 3, 9),
        father="Bolat",
    )
    paper(alone, DocumentKind.TAZKIRA, "TZ-9", DocumentStatus.UNVERIFIED)
    paper(alone, DocumentKind.PASSPORT, "P123", DocumentStatus.VALID)
    paper(
        alone,
        DocumentKind.POR_CARD,
        "POR-1",
        DocumentStatus.VALID,
        valid_until=timezone.localdate() - timedelta(days=3),
    )
    paper(alone, DocumentKind.OTHER, "", DocumentStatus.VALID)  # no number: left out
    # A household applying together: head, then the spouse; precision month and year.
    household = Household.objects.create(organisation=cast.organisation, city=cast.karachi)
    person(
        cast,
        ["Тестова Әйгерім", "Aigerim Testova"],
        household=household,
        relationship=Relationship.SPOUSE,
        born=date(1975, 6, 1),
        precision=DatePrecision.MONTH,
    )
    person(
        cast,
        ["Marat Testov"],
        household=household,
        relationship=Relationship.HEAD,
        born=date(1970, 1, 1),
        precision=DatePrecision.YEAR,
        father="-Serik",
    )
    # Someone whose name would be a formula in a careless spreadsheet.
    tricky = person(cast, [TRICKY, "@SUM(A1)"], born=None, father="+7 701")
    common = {
        "organisation": cast.organisation,
        "authority": embassy,
        "batch": batch,
        "status": Status.SENT_FOR_CONSIDERATION,
    }
    Application.objects.create(
        kind=ApplicationKind.VERIFICATION, person=alone, reference="EKZ/1", **common
    )
    Application.objects.create(
        kind=ApplicationKind.QANDAS_STATUS, household=household, reference="EKZ/2", **common
    )
    Application.objects.create(
        kind=ApplicationKind.VERIFICATION, person=tricky, reference="=1+1", **common
    )
    return batch


def sheet_of(content: bytes) -> Any:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return workbook.active


def test_rows_one_per_person_in_the_documented_layout(batch: Batch) -> None:
    rows = exports.batch_rows(batch)
    assert [row[0] for row in rows] == [1, 2, 3, 4]
    assert rows[0] == [
        1,
        "Тестов Нұрлан",
        "Nurlan Testov",
        "1971-03-09",
        "Bolat",
        "Passport P123; Tazkira TZ-9; PoR card POR-1 (expired)",
        "Verification of Kazakh origin",
        "EKZ/1",
        "Sent for consideration",
    ]
    # The household: one row per member, head first.
    assert rows[1][1:5] == ["", "Marat Testov", "1970", "-Serik"]
    assert rows[2][1:5] == ["Тестова Әйгерім", "Aigerim Testova", "1975-06", ""]
    assert rows[1][6:8] == rows[2][6:8] == ["Qandas status", "EKZ/2"]


def test_xlsx_cell_by_cell_and_formulas_stay_text(batch: Batch) -> None:
    sheet = sheet_of(exports.to_xlsx(exports.batch_rows(batch)))
    assert [cell.value for cell in sheet[1]] == exports.COLUMNS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 34
    assert sheet.max_row == 5
    assert sheet["A2"].value == 1
    assert sheet["B2"].value == "Тестов Нұрлан"
    assert sheet["C2"].value == "Nurlan Testov"
    assert sheet["D2"].value == "1971-03-09"
    assert sheet["E2"].value == "Bolat"
    assert sheet["F2"].value == "Passport P123; Tazkira TZ-9; PoR card POR-1 (expired)"
    assert sheet["H2"].value == "EKZ/1"
    assert sheet["C3"].value == "Marat Testov" and sheet["D3"].value == "1970"
    assert sheet["B4"].value == "Тестова Әйгерім" and sheet["D4"].value == "1975-06"
    assert sheet["G4"].value == "Qandas status"
    for ref, text in [("C5", TRICKY), ("E5", "+7 701"), ("H5", "=1+1"), ("E3", "-Serik")]:
        assert sheet[ref].value == text, ref
        assert sheet[ref].data_type == "s", ref
        assert sheet[ref].quotePrefix, ref


def test_pdf_is_a_pdf(batch: Batch) -> None:
    content = exports.to_pdf(exports.batch_rows(batch), batch.name)
    assert content.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert len(pdf.pages) >= 1
        box = pdf.pages[0].mediabox
        assert float(box[2]) > float(box[3])  # landscape


@pytest.mark.parametrize(
    ("url_name", "content_type", "extension"),
    [("batch_xlsx", XLSX, "xlsx"), ("batch_pdf", "application/pdf", "pdf")],
)
def test_each_export_is_audited_once_naming_batch_and_columns(
    client: Client, cast: Cast, batch: Batch, url_name: str, content_type: str, extension: str
) -> None:
    client.force_login(cast.liaison)
    response = client.get(f"/batches/{batch.code}/export.{extension}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="batch-{str(batch.code)[:8]}.{extension}"'
    )
    events = AuditEvent.objects.filter(verb=Verb.EXPORT)
    assert events.count() == 1
    event = events.get()
    assert (event.actor, event.object_type, event.object_code) == (
        cast.liaison,
        "applications.batch",
        batch.code,
    )
    assert event.organisation == cast.organisation
    assert sorted(event.fields) == sorted(exports.COLUMNS)
    if extension == "xlsx":
        assert sheet_of(response.content)["C2"].value == "Nurlan Testov"


def test_coordinator_403_and_other_organisation_404(
    client: Client, cast: Cast, batch: Batch
) -> None:
    for name, status in [("coordinator", 403), ("outsider_admin", 404), ("admin", 200)]:
        client.force_login(cast.users[name])
        assert client.get(f"/batches/{batch.code}/export.xlsx").status_code == status, name
    assert AuditEvent.objects.filter(verb=Verb.EXPORT).count() == 1
