"""A batch as a list for the embassy: rows, then an XLSX or a PDF of them.

Pure functions, no request and no audit: the views send the result through
``qandas.audit.disclosure.export`` (which records it), and the API or a later
two-person approval can reuse the same rows. The column layout is documented in
``docs/exports.md``; change both together.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Prefetch
from django.template.loader import render_to_string
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from qandas.applications.models import Application, Batch
from qandas.documents.models import Document, DocumentStatus
from qandas.people.models import DatePrecision, Name, Person, Relationship, Script

# The header row, in order. The audit event of an export lists these names.
COLUMNS = [
    "№",
    "Surname and given names (Cyrillic)",
    "Surname and given names (Latin)",
    "Birth date",
    "Father's name",
    "Documents",
    "Application",
    "Reference number",
    "Status",
]
WIDTHS = [6, 34, 34, 12, 20, 48, 30, 18, 24]

Cell = str | int
Row = list[Cell]

# A household's members: head first, then spouse, children, parents, the rest.
MEMBER_ORDER = {
    Relationship.HEAD: 0,
    Relationship.SPOUSE: 1,
    Relationship.CHILD: 2,
    Relationship.PARENT: 3,
    Relationship.SIBLING: 4,
    Relationship.OTHER: 5,
    "": 6,
}
# Valid papers first, then unverified ones, then expired and revoked ones.
DOCUMENT_ORDER: dict[str, int] = {
    DocumentStatus.VALID: 0,
    DocumentStatus.UNVERIFIED: 1,
    DocumentStatus.EXPIRED: 2,
    DocumentStatus.REVOKED: 3,
}
# A spreadsheet would take a cell starting with one of these for a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def first_name_in(person: Person, script: str) -> str:
    """The person's first name written in ``script`` (names as ordered: primary first)."""
    names: Iterable[Name] = person.names.all()
    return next((name.text for name in names if name.script == script), "")


def birth_date_text(born: date | None, precision: str) -> str:
    """As precise as it is known: ``1971-03-09``, ``1971-03``, ``1971`` or ``c. 1971``."""
    if born is None:
        return ""
    if precision == DatePrecision.MONTH:
        return f"{born.year:04d}-{born.month:02d}"
    if precision == DatePrecision.YEAR:
        return f"{born.year:04d}"
    if precision == DatePrecision.ABOUT:
        return f"c. {born.year:04d}"
    return born.isoformat()


def documents_text(person: Person) -> str:
    """``Passport P123; Tazkira TZ-9 (expired)``: papers with a number, valid ones first."""
    papers: list[Document] = [d for d in person.documents.all() if d.number.strip()]
    papers.sort(key=lambda d: DOCUMENT_ORDER.get(d.status, 9) + (2 if d.is_expired else 0))
    parts = []
    for paper in papers:
        text = f"{paper.get_kind_display()} {paper.number.strip()}"
        if paper.status == DocumentStatus.REVOKED:
            text += " (revoked)"
        elif paper.is_expired:
            text += " (expired)"
        parts.append(text)
    return "; ".join(parts)


def members_of(application: Application) -> list[Person]:
    """The people an application is for: its person, or every member of its household."""
    if application.person is not None:
        return [application.person]
    assert application.household is not None
    members = list(application.household.members.all())
    return sorted(
        members,
        key=lambda p: (MEMBER_ORDER.get(p.relationship, 9), p.birth_date or date.max, p.pk),
    )


def batch_rows(batch: Batch) -> list[Row]:
    """One row per person of the batch (a household application: one per member),
    numbered from 1, in the order the applications were created. No header row."""
    people = Person.objects.prefetch_related("names", "documents")
    applications = (
        batch.applications.select_related("household")
        .prefetch_related(
            Prefetch("person", queryset=people),
            Prefetch("household__members", queryset=people),
        )
        .order_by("created_at", "pk")
    )
    rows: list[Row] = []
    for application in applications:
        for person in members_of(application):
            rows.append(
                [
                    len(rows) + 1,
                    first_name_in(person, Script.CYRILLIC),
                    first_name_in(person, Script.LATIN),
                    birth_date_text(person.birth_date, person.birth_date_precision),
                    person.father_name,
                    documents_text(person),
                    str(application.get_kind_display()),
                    application.reference,
                    str(application.get_status_display()),
                ]
            )
    return rows


def _text_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def to_xlsx(rows: Sequence[Row], *, columns: Sequence[str] = COLUMNS) -> bytes:
    """A workbook with a bold, frozen header row. Text is always text: a name such as
    ``=HYPERLINK(...)`` is stored as a string cell, never as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Batch"
    bold = Font(bold=True)
    for column, title in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row_index, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column)
            value = _text_cell(value)
            cell.value = value
            if isinstance(value, str):
                # Assigning a string starting with "=" makes openpyxl write a formula;
                # force a plain string, and ask Excel to keep it text when edited.
                cell.data_type = "s"
                if value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
            cell.alignment = Alignment(vertical="top")
    for column, width in enumerate(WIDTHS[: len(columns)], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _no_fetching(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """The PDF template needs nothing from outside; refuse every URL (file:, http:)."""
    raise ValueError(f"External resources are not loaded in exports: {url[:40]}")


def to_pdf(rows: Sequence[Row], title: str, *, columns: Sequence[str] = COLUMNS) -> bytes:
    """A landscape A4 table of the rows, rendered from a template by WeasyPrint."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow: only when needed

    html = render_to_string(
        "correspondence/export_batch_pdf.html",
        {"title": title, "columns": columns, "rows": rows},
    )
    pdf = HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    assert pdf is not None
    return bytes(pdf)
