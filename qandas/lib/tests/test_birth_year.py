"""One rule for a birth year given in a file's row: the import's, a list's, match_list's."""

import datetime

import pytest
from django.utils import timezone

from qandas.lib.numbers import birth_year, number_key, row_birth_year
from qandas.matching.search import Hints


@pytest.mark.parametrize(
    ("cell", "year"),
    [
        ("1990", 1990),
        (" 1990 ", 1990),
        ("١٩٩٠", 1990),  # Arabic-Indic digits, as an Urdu list may write them
        ("1900", 1900),
        ("1899", None),
        ("2090", None),
        ("19", None),
        ("abc", None),
        ("19²0", None),  # a digit int() cannot read is no year, and no crash
        ("", None),
    ],
)
def test_a_birth_year_is_digits_from_1900_to_this_year(cell: str, year: int | None) -> None:
    assert birth_year(cell) == year
    assert Hints.from_row({"name": "Aidos Myrzakhmetov", "birth_year": cell}).birth_year == year


def test_this_year_is_a_birth_year_and_next_year_is_not() -> None:
    this_year = timezone.localdate().year
    assert birth_year(str(this_year)) == this_year and birth_year(str(this_year + 1)) is None


@pytest.mark.parametrize(
    ("cell", "year"),
    [
        ("01.02.1990", 1990),  # as an embassy list writes a date of birth
        ("1/2/1990", 1990),
        ("1990-02-01", 1990),
        ("1990-02-01 00:00:00", 1990),  # a spreadsheet's date cell
        ("01.02.90", None),
        ("1990-02", None),
        ("01.02.2090", None),
    ],
)
def test_a_date_of_birth_gives_its_year(cell: str, year: int | None) -> None:
    """Found by exploratory testing (14b): an embassy list's dates of birth were not
    read, and namesakes it would tell apart tied."""
    assert birth_year(cell) == year
    assert Hints.from_row({"name": "Aidos Myrzakhmetov", "birth_year": cell}).birth_year == year


def test_an_age_on_the_lists_date_gives_a_birth_year() -> None:
    """Police lists give ages (found by exploratory testing, 14b: the column was not
    used)."""
    on = datetime.date(2026, 11, 30)
    assert row_birth_year({"age": "35"}, on) == 1991
    assert row_birth_year({"age": "35", "birth_year": "1980"}, on) == 1980  # given: stands
    assert row_birth_year({"age": "about 35"}, on) is None
    assert row_birth_year({"age": "130"}, on) is None
    assert Hints.from_row({"name": "A", "age": "1"}).birth_year == timezone.localdate().year - 1


def test_a_document_number_in_any_digits_is_one_number() -> None:
    """Found by exploratory testing (14b): a CNIC in Urdu digits matched nobody."""
    assert number_key("۴۲۱۰۱-۱۲۳۴۵۶۷-۱") == number_key("42101 1234567 1") == "4210112345671"
