"""A list row's city weighs in as the registry's city it names, however it is written."""

import pytest

from qandas.matching import search
from qandas.matching.tests.test_lists import register
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def test_a_city_is_read_whatever_its_case_and_an_unknown_one_counts_not_at_all(
    cast: Cast,
) -> None:
    aidos = register(cast, "Aidos Myrzakhmetov", year=1990)
    facts = search.Facts.of(aidos)

    def score(city: str) -> search.Scored:
        return search.score_facts([facts], "Aidos Myrzakhmetov", birth_year=1990, city=city)[0]

    same = score("karachi")
    assert "same city" in same.why
    for written in ("KARACHI", " Karachi ", cast.karachi.name.upper()):
        assert score(written).score == same.score, written
    assert "other city" in score("quetta").why and score("Quetta").score < same.score
    # Not a city of the registry's: no disagreement, no note (it was "other city").
    for unknown in ("Karachi East", "کراچی", "Atlantis"):
        assert score(unknown).score == score("").score, unknown
        assert "city" not in score(unknown).why, unknown


def test_another_city_does_not_outweigh_an_exact_name(cast: Cast) -> None:
    """A list says where someone is held or seen, often away from home: the exact name
    registered in another city comes before a namesake of the row's city whose given
    name differs (it scored 0.60 to their 0.89), and a city alone weighs less than the
    name."""
    asel = search.Facts.of(register(cast, "Asel Kenzhebayeva", city="quetta"))
    saule = search.Facts.of(register(cast, "Saule Kenzhebayeva"))
    found = search.score_facts([saule, asel], "Asel Kenzhebayeva", city="karachi")
    assert [f.facts.pk for f in found] == [asel.pk, saule.pk]
    assert found[0].score == pytest.approx(0.9) and "other city" in found[0].why
    assert found[1].score < 0.8  # under the duplicate guard's threshold
    same = search.score_facts([asel], "Asel Kenzhebayeva", city="quetta")[0]
    assert same.score == 1.0 and "same city" in same.why
