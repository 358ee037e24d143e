"""Document numbers as they are compared, wherever they are looked up or scored, and
birth years as a file's rows give them."""

from django.utils import timezone

FIRST_YEAR = 1900  # the earliest birth year a row may give


def number_key(text: str) -> str:
    """A document number's letters and digits, case folded: ``AB 123-456``, ``ab123456``
    and ``AB/123/456`` are one number, as a police list, a coordinator and a scan write
    it."""
    return "".join(c for c in text.casefold() if c.isalnum())


def birth_year(text: str) -> int | None:
    """The year in a row's ``birth_year`` cell (``import_people``, ``match_list``, an
    uploaded list): digits from ``FIRST_YEAR`` to this year; None for anything else."""
    text = text.strip()
    if not text.isdecimal() or not FIRST_YEAR <= int(text) <= timezone.localdate().year:
        return None
    return int(text)
