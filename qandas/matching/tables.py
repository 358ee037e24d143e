"""Reading lists of people from CSV or XLSX files, in any script and any sane encoding.

Used by ``import_people``, ``match_list`` and the list upload page. Rows come out as
dictionaries keyed by normalised column names (``Birth Year`` is ``birth_year``), each
with the line number a person would find it at in a spreadsheet. A file that cannot be
read raises ``TableError`` with a message for the person who made it; nothing is read
half-way, because callers validate every row before writing any.

Cells are never evaluated: an XLSX formula cell and a CSV cell that a spreadsheet would
take for a formula (``=…``, ``@…``, ``+A1``) are refused with their place named.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 256 * 1024 * 1024  # a command's file; uploads have their own, lower, limit
MAX_COLUMNS = 50
MAX_CELL = 1000
SHOWN_PROBLEMS = 10  # a refusal names this many of a file's problems, and counts the rest
# Encodings a list from Pakistan, Afghanistan or Kazakhstan may come in, besides UTF-8.
LEGACY = ("cp1256", "cp1251", "koi8_r", "cp1252", "utf_16", "cp866", "iso8859_6")
MIN_LETTER_BYTES = 20
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
FORMULA = re.compile(r"^(=|@|[+\-][A-Za-z(])")
COLUMN = re.compile(r"[^0-9a-z_]+")


class TableError(ValueError):
    """The file cannot be read as a list; the message says why and what to do."""


@dataclass
class Table:
    """A list's columns and its rows, each ``(line number, {column: text})``."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    encoding: str = "utf-8"


def column_name(header: str) -> str:
    return COLUMN.sub("_", header.strip().casefold().replace(" ", "_")).strip("_")


def looks_like_formula(value: str) -> bool:
    return bool(FORMULA.match(value))


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in; refuses what it cannot tell."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise TableError(
                _("The file is not in the encoding %(encoding)s.") % {"encoding": encoding}
            ) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # A few letters could be Cyrillic in one encoding and Arabic in another: guess only
    # with enough of them to tell.
    enough = sum(byte > 127 for byte in data[:200_000]) >= MIN_LETTER_BYTES
    best = from_bytes(data[:200_000], cp_isolation=list(LEGACY)).best() if enough else None
    if best is None or best.encoding not in LEGACY:
        raise TableError(
            _(
                "The file is not UTF-8 and its encoding cannot be told for sure. Save it as "
                "“CSV UTF-8” and upload it again, or name its encoding."
            )
        )
    try:
        return data.decode(best.encoding), best.encoding
    except UnicodeDecodeError as exc:
        raise TableError(
            _("The file is not UTF-8 and not %(encoding)s either. Save it as “CSV UTF-8”.")
            % {"encoding": best.encoding}
        ) from exc


def _checked_header(raw: list[str]) -> list[str]:
    columns = [column_name(h) for h in raw]
    if len(columns) > MAX_COLUMNS:
        raise TableError(_("The file has more than %(n)s columns.") % {"n": MAX_COLUMNS})
    seen = [c for c in columns if c]
    repeated = sorted({c for c in seen if seen.count(c) > 1})
    if repeated:
        raise TableError(_("Columns named twice: %(names)s.") % {"names": ", ".join(repeated)})
    return columns


def _row(
    line: int, columns: list[str], cells: list[str], problems: list[str]
) -> dict[str, str] | None:
    """One data row as a dictionary; None for an empty row, or one with a problem (added
    to ``problems``: every cell's is named, not only the first)."""
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problems.append(_("Line %(line)s has more cells than the header.") % {"line": line})
        return None
    row = {}
    found = len(problems)
    for column, cell in zip(columns, cells, strict=False):
        value = cell.strip()
        if not column:
            continue
        if len(value) > MAX_CELL:
            problems.append(
                _("Line %(line)s, column %(column)s: the cell is too long.")
                % {"line": line, "column": column}
            )
        elif looks_like_formula(value):
            problems.append(
                _(
                    "Line %(line)s, column %(column)s looks like a spreadsheet formula "
                    "(%(value)s). Type the value itself."
                )
                % {"line": line, "column": column, "value": value[:40]}
            )
        row[column] = value
    if len(problems) > found:
        return None
    return row if any(row.values()) else None


def refused(problems: list[str]) -> TableError:
    """One refusal naming the first ``SHOWN_PROBLEMS`` problems, and how many more."""
    shown = " ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        shown += " " + ngettext("And %(n)s more problem.", "And %(n)s more problems.", more) % {
            "n": more
        }
    return TableError(shown)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    # Only the delimiter is guessed: names hold apostrophes (ʼAbd, O'Neil) that the
    # sniffer would take for quotes, swallowing every line up to the next one.
    header = text[: text.find("\n")] if "\n" in text else text
    delimiter = max(",;\t", key=header.count)
    if not header.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(
            _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": start, "error": exc}
        ) from exc


def _xlsx_text(value: object) -> str:
    """A spreadsheet cell as the text a person typed in it. A date cell comes out of
    openpyxl as a datetime at midnight: "2026-12-01", not "2026-12-01 00:00:00"; a time
    of day is kept, to the minute unless it has seconds."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    return str(value)


def _xlsx_rows(data: bytes | IO[bytes], problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(
            io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True, data_only=False
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(_("The file is not a spreadsheet that can be read.")) from exc
    sheet = book.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = []
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and value.startswith("="):
                problems.append(
                    _("Row %(row)s, column %(column)s is a formula. Type the value itself.")
                    % {"row": number, "column": column}
                )
                value = None  # never read, nor kept: the file is refused
            cells.append(_xlsx_text(value))
        yield number, cells
    book.close()


def read(data: bytes, *, filename: str = "", encoding: str | None = None) -> Table:
    """Every row of a CSV or XLSX file (the first sheet), checked; ``TableError`` if not."""
    if len(data) > MAX_BYTES:
        raise TableError(
            _("The file is larger than %(mb)s MB; split it.") % {"mb": MAX_BYTES // 2**20}
        )
    if data.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise TableError(_("Old Excel files (.xls) cannot be read; save the list as .xlsx or CSV."))
    problems: list[str] = []  # every cell's, so that one upload names them all
    if data.startswith(XLSX_MAGIC):
        lines, used = _xlsx_rows(data, problems), "xlsx"
    elif b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(_("The file is neither a CSV nor an XLSX spreadsheet."))
    else:
        text, used = decode(data, encoding)
        lines = _csv_rows(text)
    header: list[str] | None = None
    table = Table(columns=[], encoding=used)
    for line, cells in lines:
        if header is None:
            if not any(c.strip() for c in cells):
                continue
            header = _checked_header(cells)
            table.columns = [c for c in header if c]
            continue
        row = _row(line, header, cells, problems)
        if row is not None:
            table.rows.append((line, row))
    if problems:
        raise refused(problems)
    if header is None:
        raise TableError(_("The file is empty: it needs a header row and at least one row."))
    return table


def read_path(path: str | Path, *, encoding: str | None = None) -> Table:
    """``read`` for a file on disk (the management commands)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TableError(
            _("Cannot open %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if size > MAX_BYTES:
        raise TableError(
            _("The file is larger than %(mb)s MB; split it.") % {"mb": MAX_BYTES // 2**20}
        )
    return read(path.read_bytes(), filename=path.name, encoding=encoding)
