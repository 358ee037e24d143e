"""One rule for a birth year given in a file's row: the import's, a list's, match_list's."""

import pytest
from django.utils import timezone

from qandas.lib.numbers import birth_year
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
