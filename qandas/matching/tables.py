"""Reading lists of people from CSV or XLSX files, in any script and any sane encoding.

Used by ``import_people``, ``match_list`` and the list upload page. Rows come out as
dictionaries keyed by normalised column names (``Birth Year`` is ``birth_year``), each
with the line number a person would find it at in a spreadsheet. A file that cannot be
read raises ``TableError`` with a message for the person who made it; nothing is read
half-way, because callers validate every row before writing any. A caller with a row
limit (the list upload page) passes it: reading stops at the first row past it, and an
XLSX file is refused before it is unpacked when it would unpack to far more than its
size, or than that many rows, can need (a zip bomb).

Cells are never evaluated: an XLSX formula cell (array and data-table formulas too, in
any sheet) and a cell that a spreadsheet would take for a formula (``=…``, ``@…``,
``+A1``, ``-1+1``: ``looks_like_formula``; headers and unnamed columns too) are refused
with their place named, so that no list the application keeps, or serves back, holds
one. So is a control character (a NUL byte, an escape) in any cell: no name or number
has one, and PostgreSQL stores no NUL. A workbook is read from its first sheet that is
not hidden, which is the list a person opening it sees.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 256 * 1024 * 1024  # a command's file; uploads have their own, lower, limit
# What an XLSX file may unpack to: its XML compresses about 10 to 20 times (a list of
# names and numbers) and a zip bomb hundreds of times, so more than UNZIP_RATIO times its
# size (beyond a floor for the styles and theme of a small file) is refused, and so is
# more than UNZIPPED_MAX whatever its size, or, under a row limit, more than ROW_XML a
# row (a row of 50 cells is about 2 KB of XML, with its shared strings).
UNZIP_RATIO = 100
UNZIPPED_FLOOR = 16 * 1024 * 1024
UNZIPPED_MAX = 1024 * 1024 * 1024
ROW_XML = 4096
EXCEL_ROWS = 1_048_576  # a sheet's last row: a row numbered past it is a forged file
MAX_COLUMNS = 50
MAX_CELL = 1000
SHOWN_PROBLEMS = 10  # a refusal names this many of a file's problems, and counts the rest
# Encodings a list from Pakistan, Afghanistan or Kazakhstan may come in, besides UTF-8.
LEGACY = ("cp1256", "cp1251", "koi8_r", "cp1252", "utf_16", "cp866", "iso8859_6")
MIN_LETTER_BYTES = 20
# Letters of cp1251 that Russian and Kazakh never use. Read as cp1251, a Kazakh Windows
# (kz1048) file has them for its Kazakh letters (Тұрсынова comes out Тўрсынова, Ақмарал
# Аќмарал), and a Mac Cyrillic one for most capitals (Нурлан comes out Ќурлан), or
# typographic marks (Даурен comes out „аурен). Ukrainian and Belarusian use a few of
# them, as kz1048 does: those lists must name cp1251.
ODD_LETTERS = "ЂЃѓЉЊЌЋЏђљњќћџЎўЈјҐґЄєЇїЅѕ"
MARKS = "‚„…†‡€‰‹›‘’“”•–—™"
GARBLED = re.compile(rf"[А-яЁё][{ODD_LETTERS}]|[{ODD_LETTERS}][А-яЁё]|(?<![^\W\d_])[{MARKS}][а-яё]")
# kz1048's Ққ Һһ Әә Ңң read as cp1251 (Ќќ Ћћ Јј Ѕѕ): Macedonian and Serbian letters, in
# no list of ours; a file that has them beside Russian letters, and reads clean as
# kz1048, is Kazakh.
KAZAKH_AS_CP1251 = re.compile(r"[А-яЁё][ЌќЋћЈјЅѕ]|[ЌќЋћЈјЅѕ][А-яЁё]")
XLSX_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")  # before UTF-16's: FF FE begins both
STRAY_BYTES = 3  # bytes not UTF-8 in a UTF-8 file, up to which their line is named
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
# A cell starting so is read as a formula by a spreadsheet (OWASP's "CSV injection")...
FORMULA_STARTS = ("=", "@")
SIGN_STARTS = ("+", "-")
CONTROL_STARTS = ("\t", "\r")
# ...unless a sign, tab or carriage return is followed by a plain number: a phone number
# (+92 300 1234567, +92 (300) 123-4567) or a negative one (-12, -1,5). Several of them
# may be separated by ";" or "," (import_people's phone column); each is matched alone,
# so that no cell makes the pattern backtrack.
NUMBER = re.compile(r"[+\-]?\s*\(?\d[\d\s().\-]*")
# Control characters no cell holds; a tab, a line end and a carriage return may.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NUMBER_LIST = re.compile(r"[;,]")
# A header is read in any script: its letters, digits and vowel signs are kept, and any
# run of other characters is one underscore, but for apostrophes, which are dropped.
APOSTROPHES = re.compile(r"['’ʼ`´]")
# The labels the list page shows for its columns (lists.COLUMN_LABELS), as a header
# reads them, when that is not their column already: a list saved from the page reads
# back as it was.
# Headers lists are written with, each read as its column: English words beside the
# column names, and the words of Urdu, Persian and Arabic, Russian and Kazakh lists. A
# police list's "Father" or "ولدیت" (parentage) column was shown and never used, and
# one whose names were under "نام" or "ФИО" was refused for want of a "name" column
# (found by exploratory testing, 13b). Written as ``plain_name`` makes them. Not a bare
# "Passport": it may hold where or when one was issued (14a).
ALIASES = {
    "name": (
        "full_name",
        "name_of_accused",
        "accused_name",
        "نام",
        "نام_ملزم",
        "اسم",
        "الاسم",
        "фио",
        "ф_и_о",
        "фамилия_имя_отчество",
        "аты_жөні",
    ),
    "other_names": ("alias", "aliases", "aka", "عرف", "другие_имена"),
    "father_name": (
        "fathers_name",
        "father",
        "father_husband_name",
        "father_or_husband_name",
        "parentage_s_o_d_o_w_o",
        "s_o",
        "son_of",
        "parentage",
        "ولدیت",
        "ولديت",
        "والد",
        "والد_کا_نام",
        "نام_پدر",
        "اسم_الأب",
        "اسم_الاب",
        "имя_отца",
        "отец",
        "әкесінің_аты",
    ),
    "birth_year": (
        "year_of_birth",
        "date_of_birth",
        "dob",
        "d_o_b",
        "سال_پیدائش",
        "تاریخ_پیدائش",
        "سال_تولد",
        "год_рождения",
        "дата_рождения",
        "туған_жылы",
        "туған_күні",
    ),
    "age": ("عمر", "возраст", "жасы"),
    # A name in parts, as Russian-style lists give it (``name_of_parts``).
    "given_name": ("first_name", "имя", "аты"),
    "surname": ("last_name", "family_name", "фамилия", "тегі"),
    "patronymic": ("отчество",),
    "document_number": (
        "cnic",
        "cnic_no",
        "cnic_number",
        "nic",
        "nic_no",
        "n_i_c_no",
        "passport_no",
        "passport_number",
        "شناختی_کارڈ_نمبر",
        "پاسپورٹ_نمبر",
        "номер_паспорта",
    ),
    "city": ("شہر", "شهر", "город", "қала"),
}
LABELS = {alias: column for column, aliases in ALIASES.items() for alias in aliases}


class TableError(ValueError):
    """The file cannot be read as a list; the message says why and what to do."""


def too_large() -> TableError:
    """The refusal of a file past ``MAX_BYTES``."""
    return TableError(
        _("The file is larger than %(mb)s MB; split it.") % {"mb": MAX_BYTES // 2**20}
    )


def unreadable() -> TableError:
    """The refusal of a file that is no spreadsheet, or one that cannot be read to its
    end (a ZIP of something else, a workbook cut short, a cell that makes no sense)."""
    return TableError(_("The file is not a spreadsheet that can be read."))


@dataclass
class Table:
    """A list's columns and its rows, each ``(line number, {column: text})``."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    encoding: str = "utf-8"
    # Each column's header as the file writes it ("№", "Remarks"), for the list's page.
    headers: dict[str, str] = field(default_factory=dict)


READ = frozenset(LABELS.values())  # the columns a header may be read as
BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")  # "(dd.mm.yyyy)", "[as on CNIC]"


def column_name(header: str) -> str:
    """``header`` as a column name: ``Birth Year`` is ``birth_year``, ``Father's name``
    ``father_name`` (``LABELS``), ``Адрес`` ``адрес``. A header saying how its column is
    written is read without it: "Дата рождения (дд.мм.гггг)" was a column not used
    (exploratory testing, 15)."""
    name = plain_name(header)
    read_as = LABELS.get(name, name)
    if read_as == name and name not in READ:
        bare = plain_name(BRACKETED.sub(" ", header))
        read_as = LABELS.get(bare, bare if bare in READ else name)
    return read_as


def plain_name(header: str) -> str:
    """``header`` as a column name, before ``LABELS``: ``Father's name`` is
    ``fathers_name``."""
    text = APOSTROPHES.sub("", unicodedata.normalize("NFKC", header).casefold())
    kept = "".join(
        c if c.isalnum() or c == "_" or unicodedata.category(c) in ("Mn", "Mc") else " "
        for c in text
    )
    return "_".join(kept.replace("_", " ").split())


def column_names(headers: list[str]) -> list[str]:
    """The column names of a header row (``column_name``). A header read as another
    column (``LABELS``) is that column unless the row names it already, by its own name
    or an earlier header: then it is a column of its own, as written. "Name, Full name",
    "Name, نام" (a list in two languages) and "CNIC No., Passport No." were refused as
    columns named twice (found by exploratory testing, 14a)."""
    plain = [plain_name(h) for h in headers]
    columns: list[str] = []
    for header, name in zip(headers, plain, strict=True):
        read_as = column_name(header)
        if read_as != name and (read_as in plain or read_as in columns):
            read_as = name
        columns.append(read_as)
    return columns


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would evaluate the cell ``value`` (as typed, unstripped): it
    starts with ``=`` or ``@``, or with ``+``, ``-``, a tab or a carriage return followed
    by anything but plain numbers (``-1+1``, ``+A1``, ``-2+3+cmd|' /C calc'!A0``). Dashes
    alone (``-``, ``---``), a hyphen inside a name and ``+92 300 1234567`` are not."""
    text = value.strip()
    if not text:
        return False
    if text.startswith(FORMULA_STARTS):
        return True
    if text.startswith(SIGN_STARTS):
        return bool(text.strip("-")) and len(text) > 1 and not _plain_numbers(text)
    if value.lstrip(" ").startswith(CONTROL_STARTS):
        return not _plain_numbers(text)
    return False


def _plain_numbers(text: str) -> bool:
    parts = [part.strip() for part in NUMBER_LIST.split(text)]
    return any(parts) and all(not part or NUMBER.fullmatch(part) for part in parts)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in; refuses what it cannot tell."""
    if encoding and _wide(encoding) == "utf-16" and not data.startswith(UTF16_BOMS):
        encoding = _utf16_order(data)
    if encoding:
        if not _wide(encoding) and _plainly_utf8(data, encoding):
            # Read as a code page of one byte a letter, each letter of a UTF-8 file is
            # two of another alphabet's: every row would match nobody, unsaid.
            raise TableError(
                _(
                    "The file is in UTF-8, not %(encoding)s: read so, its names would come "
                    "out garbled. Choose UTF-8 (or let the encoding be found out)."
                )
                % {"encoding": encoding}
            )
        return _decoded(data, encoding), encoding
    if data.startswith(UTF32_BOMS):
        return _decoded(data, "utf-32"), "utf-32"
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        _nearly_utf8(data, exc)
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
        text = data.decode(best.encoding)
    except UnicodeDecodeError as exc:
        raise TableError(
            _("The file is not UTF-8 and not %(encoding)s either. Save it as “CSV UTF-8”.")
            % {"encoding": best.encoding}
        ) from exc
    if best.encoding == "cp1251":
        return _cyrillic(data, text)
    return text, best.encoding


def _plainly_utf8(data: bytes, encoding: str) -> bool:
    """Whether ``data`` is UTF-8 with letters past ASCII, and ``encoding`` is none of
    UTF-8's names: a real file in a code page is next to never valid UTF-8."""
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        return False
    return _utf8(data) and any(byte > 127 for byte in data[:200_000])


def _utf8(data: bytes) -> bool:
    """Whether ``data`` reads as UTF-8 (with or without its byte-order mark)."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _decoded(data: bytes, encoding: str) -> str:
    """``data`` read in ``encoding``, or refused, saying so."""
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise TableError(
            _("The file is not in the encoding %(encoding)s.") % {"encoding": encoding}
        ) from exc


def _nearly_utf8(data: bytes, error: UnicodeDecodeError) -> None:
    """Refuse a UTF-8 file with a stray byte or two (pasted from a file of a code page),
    naming the line of the first: told "its encoding cannot be told", its user, sure it
    is UTF-8, could not find what to correct."""
    text = data.decode("utf-8-sig", errors="replace")
    if text.count("\ufffd") > STRAY_BYTES or not any(b > 127 for b in data[: error.start]):
        return  # not UTF-8 with a slip, or nothing of UTF-8 before it: a code page's
    line = data[: error.start].count(b"\n") + 1
    raise TableError(
        _(
            "The file is in UTF-8, but line %(line)s holds a byte that is not (0x%(byte)02X, "
            "from a file in another encoding?). Correct that line, or save the file as “CSV "
            "UTF-8” again."
        )
        % {"line": line, "byte": data[error.start]}
    )


def encoding_argument(name: str) -> str:
    """A command's ``--encoding``: ``name``, if Python knows such an encoding."""
    try:
        codecs.lookup(name)
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding “{name}”") from None
    return name


def _wide(encoding: str) -> str | None:
    """The Unicode encoding of two or four bytes a letter ``encoding`` names, if it names
    one (``UTF16``, ``utf_16_le``...): its text holds NUL bytes."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    return name if name.startswith(("utf-16", "utf-32")) else None


def _text_with_a_stray_control(data: bytes) -> bool:
    """Whether the file is UTF-8 text whose start holds a control character or two (a
    NUL byte), not a binary file's many: its line is named then, as past the start."""
    start = data[:4096]
    controls = len(CONTROL.findall(start.decode("latin-1")))
    if controls > STRAY_BYTES or controls > len(start) // 100 or _looks_utf16(data):
        return False
    return _utf8(data)


def _looks_utf16(data: bytes) -> bool:
    """Whether NUL bytes fill every other byte of the file's start, as ASCII's do in
    UTF-16 (a header's letters): a file that is text, not a binary."""
    start = data[:4096]
    half = len(start) // 2
    return half > 0 and max(start[0::2].count(0), start[1::2].count(0)) > half * 0.6


def _utf16_order(data: bytes) -> str:
    """UTF-16 without a byte-order mark, big or little endian: the NUL bytes of its ASCII
    letters (a header's) come first in big endian. Python would take it for little."""
    start = data[:4096]
    before, after = start[0::2].count(0), start[1::2].count(0)
    return "utf-16-be" if before > after else "utf-16-le"


def _cyrillic(data: bytes, text: str) -> tuple[str, str]:
    """``text``, read as cp1251, or the same file read as kz1048 when it is plainly
    Kazakh; refuses a file whose words come out garbled either way (``GARBLED``)."""
    garbled = GARBLED.search(text)
    if garbled is None:
        return text, "cp1251"
    if KAZAKH_AS_CP1251.search(text):
        kazakh = data.decode("kz1048", errors="replace")
        if GARBLED.search(kazakh) is None and "\ufffd" not in kazakh:
            return kazakh, "kz1048"
    raise TableError(
        _(
            "The file is not UTF-8, and read as Windows Cyrillic (cp1251) some of its words "
            "come out garbled (“%(word)s”): it may be in Windows Kazakh (kz1048) or Mac "
            "Cyrillic. Save it as “CSV UTF-8” and upload it again, or name its encoding (a "
            "Ukrainian or Belarusian list in Windows Cyrillic too)."
        )
        % {"word": _word_at(text, garbled.start())}
    )


def _word_at(text: str, at: int) -> str:
    left = re.search(r"[^\s,;\"]{0,30}\Z", text[max(0, at - 30) : at])
    right = re.match(r"[^\s,;\"]{0,30}", text[at:])
    return (left.group() if left else "") + (right.group() if right else "")


def _checked_header(raw: list[str], problems: list[str]) -> list[str]:
    """The column names of a header row; a header cell a spreadsheet would evaluate, or
    that holds a control character, is a problem (added to ``problems``). Too many
    columns are refused before any is looked at: a header of millions of cells took a
    minute to check cell by cell."""
    width = len(raw)
    while width and not raw[width - 1].strip():
        width -= 1  # empty cells after the last column (an XLSX row is 51 cells wide)
    if width > MAX_COLUMNS:
        raise TableError(_("The file has more than %(n)s columns.") % {"n": MAX_COLUMNS})
    for at, cell in enumerate(raw[:width], start=1):
        _check_cell(cell, _("The header's cell %(n)s") % {"n": at}, problems)
    columns = column_names(raw[:width])
    seen = [c for c in columns if c]
    repeated = sorted({c for c in seen if seen.count(c) > 1})
    if repeated:
        # As the file heads them: "Name" and "name ", not the column both are.
        written = [f"“{h.strip()}”" for h, c in zip(raw, columns, strict=False) if c in repeated]
        raise TableError(_("Columns named twice: %(names)s.") % {"names": ", ".join(written)})
    return columns


def _row(
    line: int,
    columns: list[str],
    cells: list[str],
    problems: list[str],
    unnamed: dict[int, tuple[int, str]] | None = None,
) -> dict[str, str] | None:
    """One data row as a dictionary; None for an empty row, or one with a problem (added
    to ``problems``: every cell's is named, not only the first). A value in a column with
    no name is never read: the first of each such column is kept in ``unnamed``."""
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problems.append(_("Line %(line)s has more cells than the header.") % {"line": line})
        return None
    row = {}
    found = len(problems)
    for at, (column, cell) in enumerate(zip(columns, cells, strict=False), start=1):
        value = cell.strip()
        if len(value) > MAX_CELL:
            problems.append(
                _("Line %(line)s, column %(column)s: the cell is too long.")
                % {"line": line, "column": column or at}
            )
        else:
            # A cell of a column with no name is not read, but it is in the file kept.
            where = _("Line %(line)s, column %(column)s") % {"line": line, "column": column or at}
            _check_cell(cell, where, problems)
        if column:
            row[column] = value
        elif value and unnamed is not None:
            unnamed.setdefault(at, (line, value))
    if len(problems) > found:
        return None
    return row if any(row.values()) else None


def _check_cell(cell: str, where: str, problems: list[str]) -> None:
    """Add to ``problems`` what is wrong with a cell (``where`` names it) that a
    spreadsheet would evaluate (``looks_like_formula``) or that holds a control character
    (``CONTROL``)."""
    if looks_like_formula(cell):
        problems.append(
            _("%(where)s looks like a spreadsheet formula (%(value)s). Type the value itself.")
            % {"where": where, "value": cell.strip()[:40]}
        )
    elif (control := CONTROL.search(cell)) is not None:
        problems.append(
            _("%(where)s holds a control character (U+%(code)04X), which no name or number has.")
            % {"where": where, "code": ord(control.group())}
        )


def refused(problems: list[str]) -> TableError:
    """One refusal naming the first ``SHOWN_PROBLEMS`` problems, and how many more."""
    shown = " ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        shown += " " + ngettext("And %(n)s more problem.", "And %(n)s more problems.", more) % {
            "n": more
        }
    return TableError(shown)


def _csv_rows(text: str) -> Generator[tuple[int, list[str]], None, None]:
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
        if "field larger than field limit" in str(exc):
            raise TableError(_("Line %(line)s: a cell is too long.") % {"line": start}) from exc
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


def _unzipped_limit(size: int, max_rows: int | None) -> int:
    """How many bytes an XLSX file of ``size`` bytes may unpack to (``UNZIP_RATIO``)."""
    limit = min(UNZIPPED_MAX, max(UNZIPPED_FLOOR, UNZIP_RATIO * size))
    if max_rows is not None:
        limit = min(limit, UNZIPPED_FLOOR + max_rows * ROW_XML)
    return limit


def _check_unzipped(data: bytes, max_rows: int | None) -> None:
    """Refuse an XLSX file that would unpack to more than ``_unzipped_limit``, before
    openpyxl reads any of it (it reads the shared strings and styles whole). The sizes
    are the archive's own: zipfile never unpacks a member past its stated size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable() from exc
    limit = _unzipped_limit(len(data), max_rows)
    if unzipped > limit:
        raise TableError(
            _(
                "Unpacked, this spreadsheet would take more than %(mb)s MB, far more than "
                "its rows can need. Save it as CSV and upload that, or split it."
            )
            % {"mb": limit // 2**20}
        )


def _xlsx_rows(data: bytes, problems: list[str]) -> Generator[tuple[int, list[str]], None, None]:
    """The rows that hold something of the first sheet not hidden, with their numbers,
    read as they are unpacked (openpyxl's read-only mode) and at most ``MAX_COLUMNS + 1``
    cells wide; then every other sheet's formulas, as problems: the file is kept and
    served back whole. A file openpyxl cannot read to the end (a sheet cut short, a
    cell it cannot make sense of) is refused as unreadable, whatever the error."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a malformed file: any of a parser's errors
        raise unreadable() from exc
    try:
        shown = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
        if not shown:
            raise unreadable()
        sheet = shown[0]
        for number, values in _sheet_rows(sheet, max_col=MAX_COLUMNS + 1):
            cells = []
            for column, value in enumerate(values, start=1):
                if _is_formula(value):
                    problems.append(
                        _("Cell %(cell)s is a formula. Type the value itself.")
                        % {"cell": _cell(column, number)}
                    )
                    # Never read, nor kept: the file is refused. Not blank, either: a
                    # header's last cell blank dropped its column, and named the row
                    # under it as having more cells than the header.
                    value = f"(formula {column})"
                cells.append(_xlsx_text(value))
            yield number, cells
        # Past the columns read, a formula is never read, but it is in the file kept and
        # served back (found by exploratory testing: one in column 52 was downloaded live).
        problems.extend(
            _(
                "Cell %(cell)s is a formula, past the columns a list may have. Delete it, "
                "or save the list as CSV."
            )
            % {"cell": _cell(column, number)}
            for number, column in _formulas_past(sheet, MAX_COLUMNS + 1)
        )
        for other in book.worksheets:
            if other is sheet:
                continue
            for number, values in _sheet_rows(other):
                problems.extend(
                    _(
                        "Sheet “%(sheet)s”, cell %(cell)s is a formula. Type the value itself, "
                        "or delete that sheet."
                    )
                    % {"sheet": other.title, "cell": _cell(column, number)}
                    for column, value in enumerate(values, start=1)
                    if _is_formula(value)
                )
    except TableError:
        raise
    except Exception as exc:  # read lazily: a malformed sheet fails here, not at loading
        raise unreadable() from exc
    finally:
        book.close()


def _sheet_rows(sheet: object, max_col: int | None = None) -> Iterator[tuple[int, tuple]]:
    """A sheet's rows that hold something, with their numbers."""
    # The size a sheet declares is the word of the program that wrote it: openpyxl
    # would drop the rows and columns past it, and pad every row to it.
    sheet.reset_dimensions()  # type: ignore[attr-defined]
    rows = sheet.iter_rows(max_col=max_col, values_only=True)  # type: ignore[attr-defined]
    for number, values in enumerate(rows, start=1):
        if number > EXCEL_ROWS:
            raise unreadable()
        if values.count(None) != len(values):  # openpyxl makes up the rows a sheet skips
            yield number, values


def _place(column: int, encoding: str) -> str:
    """A column as its file names it: a spreadsheet's letter, a CSV file's number."""
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    return get_column_letter(column) if encoding == "xlsx" else str(column)


def _cell(column: int, row: int) -> str:
    """A cell's place as a spreadsheet names it: "B3"."""
    return f"{_place(column, 'xlsx')}{row}"


def _formulas_past(sheet: object, column: int) -> Iterator[tuple[int, int]]:
    """The places (row, column) of a read-only sheet's formulas past ``column``. Its rows
    are read as the file holds them, a cell only where there is one: a row read as a
    tuple is as wide as its last cell (XFD: 16,384), blank cells and all."""
    from openpyxl.worksheet._reader import WorkSheetParser  # type: ignore[import-untyped]

    book = sheet.parent  # type: ignore[attr-defined]
    with sheet._get_source() as source:  # type: ignore[attr-defined]
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,  # type: ignore[attr-defined]
            data_only=False,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            for cell in cells:
                if cell["column"] > column and _is_formula(cell["value"]):
                    yield number, cell["column"]


def _is_formula(value: object) -> bool:
    """Whether an XLSX cell's value (read with ``data_only=False``) is a formula."""
    from openpyxl.worksheet.formula import (  # type: ignore[import-untyped]
        ArrayFormula,
        DataTableFormula,
    )

    return isinstance(value, ArrayFormula | DataTableFormula) or (
        isinstance(value, str) and value.startswith("=")
    )


def _within(max_rows: int, counted: int, empty: int) -> None:
    """Refuse a list past its row limit as soon as it is; and one with more empty rows
    than that (a file of empty lines costs as much to read as one of rows). Only the list
    upload page has a limit: a bigger list goes to ``match_list``."""
    if counted > max_rows:
        raise TableError(
            _(
                "The list has more than %(limit)s rows; the limit here is %(limit)s. Split "
                "it, or ask an administrator to run “manage.py match_list” on it."
            )
            % {"limit": number_format(max_rows, force_grouping=True)}
        )
    if empty > max_rows:
        raise TableError(
            _("The list has more than %(limit)s empty rows. Delete them and try again.")
            % {"limit": max_rows}
        )


def read(
    data: bytes, *, filename: str = "", encoding: str | None = None, max_rows: int | None = None
) -> Table:
    """Every row of a CSV or XLSX file (its first sheet not hidden), checked; ``TableError`` if not,
    or as soon as a row past ``max_rows`` (rows that hold something) is read."""
    if len(data) > MAX_BYTES:
        raise too_large()
    if data.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise TableError(_("Old Excel files (.xls) cannot be read; save the list as .xlsx or CSV."))
    problems: list[str] = []  # every cell's, so that one upload names them all
    lines: Generator[tuple[int, list[str]], None, None]
    if data.startswith(XLSX_MAGIC):
        _check_unzipped(data, max_rows)
        lines, used = _xlsx_rows(data, problems), "xlsx"
    elif (
        b"\x00" in data[:4096]
        and not data.startswith(UTF16_BOMS)
        and not (encoding and _wide(encoding))
        and not _text_with_a_stray_control(data)  # its NUL is named with its line
    ):
        if _looks_utf16(data):
            raise TableError(
                _(
                    "The file looks like UTF-16 without its byte-order mark: name its "
                    "encoding, UTF-16."
                )
            )
        raise TableError(_("The file is neither a CSV nor an XLSX spreadsheet."))
    else:
        text, used = decode(data, encoding)
        lines = _csv_rows(text)
    header: list[str] | None = None
    unnamed: dict[int, tuple[int, str]] = {}  # column: its first value (line, text)
    blank: set[int] = set()  # the columns whose header cell is blank
    table = Table(columns=[], encoding=used)
    counted = empty = 0  # rows that hold something (refused ones too), and the others
    seen = 0  # problems found before this row (an XLSX row's formulas come with it)
    with closing(lines):
        for line, cells in lines:
            if header is None:
                if any(c.strip() for c in cells):
                    header = _checked_header(cells, problems)
                    table.columns = [c for c in header if c]
                    table.headers = {
                        c: h.strip() for c, h in zip(header, cells[: len(header)], strict=True) if c
                    }
                    # Blank header cells; one of symbols alone ("#", numbering the
                    # rows) names a column Qandas does not read, as an unknown one.
                    blank = {at for at, c in enumerate(cells[: len(header)], 1) if not c.strip()}
                else:
                    empty += 1
                seen = len(problems)
                continue
            row = _row(line, header, cells, problems, unnamed)
            if row is not None or len(problems) > seen:
                counted += 1
            else:
                empty += 1
            if max_rows is not None:
                _within(max_rows, counted, empty)
            if row is not None:
                table.rows.append((line, row))
            seen = len(problems)
    # A column without a name (a blank header cell; in a spreadsheet, a header merged
    # over two columns names only the first) lost its values unsaid: people were
    # imported with half their names.
    problems.extend(
        _(
            "Column %(column)s has no name in the header, but holds values (line %(line)s: "
            "“%(value)s”). Name the column, or delete it."
        )
        % {"column": _place(at, used), "line": line, "value": value[:40]}
        for at, (line, value) in sorted(unnamed.items())
        if at in blank
    )
    if problems:
        raise refused(problems)
    if header is None:
        raise TableError(_("The file is empty: it needs a header row and at least one row."))
    name_of_parts(table)
    return table


NAME_PARTS = ("given_name", "surname", "patronymic")  # as a name is written


def name_of_parts(table: Table) -> None:
    """A list without a name column but with its parts ("Фамилия", "Имя", "Отчество":
    ``NAME_PARTS``) gets one: each row's parts joined, given name first. Such a list
    was refused for want of a name column (found by exploratory testing, 14b)."""
    if "name" in table.columns or not {"given_name", "surname"} & set(table.columns):
        return
    table.columns.insert(0, "name")
    for _line, cells in table.rows:
        cells["name"] = " ".join(p for c in NAME_PARTS if (p := cells.get(c, "").strip()))


def read_path(
    path: str | Path, *, encoding: str | None = None, max_rows: int | None = None
) -> Table:
    """``read`` for a file on disk (the management commands)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if not path.is_file():  # a directory; a pipe would be waited on for ever
            raise TableError(_("%(path)s is not a file.") % {"path": path})
        if size > MAX_BYTES:
            raise too_large()
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(
            _("Cannot open %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    return read(data, filename=path.name, encoding=encoding, max_rows=max_rows)
