"""The Arabic-script letters keyboards type in several ways, as search and a reader see them."""

import pytest

from qandas.lib.scripts import ARABIC_UNIFY, SAME_LETTER, as_read, normalise

pytestmark = pytest.mark.once


def test_a_reader_sees_one_letter_where_search_does_too() -> None:
    """Letters one to a reader are one to search; search unifies more (ayn as alef)."""
    assert str.maketrans(SAME_LETTER).items() <= ARABIC_UNIFY.items()
    assert normalise("عمر") == normalise("امر") and as_read("عمر") != as_read("امر")
    assert normalise("فاطمة") == normalise("فاطمه") and as_read("فاطمة") != as_read("فاطمه")


def test_as_read_drops_what_no_one_sees_and_keeps_case_and_accents() -> None:
    assert as_read("\ufeffNurlan\u200b\u200e") == "Nurlan"
    assert as_read("Be\u0301rik") == "B\u00e9rik" != as_read("Berik")
    assert as_read("عبديكريموى") == "عبدیکریموی"
    assert as_read("مُحَمَّـد") == "محمد"
