"""Document numbers as they are compared, wherever they are looked up or scored, and
birth years as a file's rows give them."""

import re
import unicodedata
from datetime import date

from django.utils import timezone

FIRST_YEAR = 1900  # the earliest birth year a row may give


def number_key(text: str) -> str:
    """A document number's letters and digits, case folded, the digits of any script as
    0-9: ``AB 123-456``, ``ab123456``, ``AB/123/456`` and ``AB ۱۲۳۴۵۶`` are one number,
    as a police list, a coordinator and a scan write it (Urdu digits were never one
    with 0-9, found by exploratory testing, 14b)."""
    return "".join(
        str(unicodedata.digit(c)) if c.isdecimal() else c for c in text.casefold() if c.isalnum()
    )


# A date whose year a birth date gives: 1990-02-01 (a spreadsheet's date, time and
# all), 01.02.1990, 01/02/1990, 1-2-1990.
DATE = re.compile(r"(\d{4})-\d{1,2}-\d{1,2}(?:[ T][\d:.]+)?|\d{1,2}[./-]\d{1,2}[./-](\d{4})")


def birth_year(text: str) -> int | None:
    """The year in a row's ``birth_year`` cell (``import_people``, ``match_list``, an
    uploaded list): digits from ``FIRST_YEAR`` to this year, or the year of a date
    (``DATE``: embassy lists give dates of birth, found by exploratory testing, 14b);
    None for anything else."""
    text = text.strip()
    if not text.isdecimal():
        found = DATE.fullmatch(text)
        if found is None:
            return None
        text = found.group(1) or found.group(2)
    year = int(text)
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        return None
    return year


def year_from_age(text: str, on: date) -> int | None:
    """The birth year an age on a date gives (a police list gives ages: "35"), the later
    of the two it may be; None for anything but an age from 0 to 120."""
    text = text.strip()
    if not text.isdecimal() or not 0 <= int(text) <= 120:
        return None
    year = on.year - int(text)
    return year if year >= FIRST_YEAR else None


def row_birth_year(cells: dict[str, str], on: date | None = None) -> int | None:
    """The birth year a list's row gives: its ``birth_year``, else its ``age`` on the
    list's date (``on``; today when the list has none)."""
    year = birth_year(cells.get("birth_year", ""))
    if year is None and cells.get("age"):
        year = year_from_age(cells["age"], on or timezone.localdate())
    return year
