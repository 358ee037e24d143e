"""How matching's pages show what they found: why a record matched, in any script."""

from __future__ import annotations

import datetime
import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from qandas.documents.models import Document
from qandas.incidents import actions
from qandas.matching import duplicates
from qandas.matching.duplicate_views import moved_in_words
from qandas.matching.tests.test_duplicates import person
from qandas.test import Cast

pytestmark = pytest.mark.django_db

ARABIC = ["قیرات ساپاربیکوف", "Kairat Saparbekov"]
ARABIC_TWIN = ["قیرات ساپاربیکوف", "Kairat Saparbekov", "Сапарбеков Қайрат"]


def render_why(why: str) -> str:
    return Template("{% load why %}{{ why|names_isolated }}").render(Context({"why": why}))


def test_why_isolates_each_name_and_keeps_the_rest_in_the_page_direction() -> None:
    why = "قیرات ≈ قیرات (same spelling); zhibek ≈ жібек (similar spelling); born 1965"
    assert render_why(why) == (
        "<bdi>قیرات</bdi> ≈ <bdi>قیرات</bdi> (same spelling); "
        "<bdi>zhibek</bdi> ≈ <bdi>жібек</bdi> (similar spelling); born 1965"
    )
    together = render_why("ali khan ≈ alikhan (written together)")
    assert together == "<bdi>ali khan</bdi> ≈ <bdi>alikhan</bdi> (written together)"
    assert render_why("<b> ≈ x (same spelling)") == (
        "<bdi>&lt;b&gt;</bdi> ≈ <bdi>x</bdi> (same spelling)"
    )
    assert render_why("same city; other document") == "same city; other document"
    assert render_why("") == ""


def test_an_untranslated_why_reads_left_to_right_on_a_right_to_left_page(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Urdu, with no catalogue translating them, the English words of a "why" came
    out of order between its isolated names: its element is then left to right. In a
    language whose catalogue translates them, the page's direction is theirs."""
    from qandas.matching import search
    from qandas.matching.templatetags import why

    first = person(cast, ARABIC, born=1965)
    second = person(cast, ARABIC_TWIN, born=1965)
    client.force_login(cast.coordinator)
    pages = {
        "en": "",
        "ur": ' dir="ltr"',
    }
    for language, attribute in pages.items():
        client.cookies["django_language"] = language
        page = client.get(f"/duplicates/{first.code}/{second.code}/").content.decode()
        assert f'<small class="why"{attribute}>' in page, language
        listed = client.post("/people/", {"q": "Kairat Saparbekov"}).content.decode()
        assert f'<small class="why"{attribute}>' in listed, language
    monkeypatch.setattr(why, "words_translated", lambda: True)
    page = client.get(f"/duplicates/{first.code}/{second.code}/").content.decode()
    assert '<small class="why">' in page
    assert search.words_translated() is False  # no catalogue yet: English words
    assert search._words_in("en")["same"] == "same spelling"


def test_a_token_like_none_of_the_names_is_said_to_be_not_alike() -> None:
    """Its best counterpart is named, and no likeness is claimed; the page isolates both
    names as for a match."""
    from qandas.matching.keys import analyse
    from qandas.matching.search import name_match

    _score, why = name_match(analyse("Kairat Кайрат"), analyse("Kairat Saparbekov"))
    assert str(why) == "kairat ≈ kairat (same spelling); кайрат ≠ saparbekov (not alike)"
    _score, why = name_match(analyse("Дарига Нурпеисова"), analyse("Raushan Tokhtarova"))
    assert "similar spelling" not in str(why) and str(why).count("(not alike)") == 2
    _score, why = name_match(analyse("Arman Kuanyshev"), analyse("Dauren Mukashev"))
    assert str(why) == (  # 0.697 and 0.83
        "arman ≠ dauren (not alike); kuanyshev ≈ mukashev (similar spelling)"
    )
    assert render_why("кайрат ≠ saparbekov (not alike)") == (
        "<bdi>кайрат</bdi> ≠ <bdi>saparbekov</bdi> (not alike)"
    )


def test_the_pair_page_shows_why_in_the_page_direction(client: Client, cast: Cast) -> None:
    first = person(cast, ARABIC, born=1965)
    second = person(cast, ARABIC_TWIN, born=1965)
    client.force_login(cast.coordinator)
    page = client.get(f"/duplicates/{first.code}/{second.code}/").content.decode()
    why = re.search(r'<small class="why"[^>]*>(.*?)</small>', page)
    assert why is not None, page
    assert 'dir="auto"' not in why.group(0)
    assert "<bdi>قیرات</bdi> ≈ <bdi>قیرات</bdi>" in why.group(1)
    # A year known alone is shown as the year, never as the first of January.
    assert "<td>1965</td>" in page and "1965-01-01" not in page


def test_the_merges_page_says_what_moved_in_words(client: Client, cast: Cast) -> None:
    kept = person(cast, ["Berik Zhanuzakov"], born=1990)
    twin = person(cast, ["Берик Жанузаков"], born=1990)
    Document.objects.create(organisation=cast.organisation, person=twin, kind="tazkira")
    actions.record_event(
        by=cast.coordinator,
        people=[twin],
        kind="contact",
        channel="call",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    duplicates.merge(kept, twin, by=cast.coordinator)
    client.force_login(cast.coordinator)
    page = client.get("/duplicates/merges/").content.decode()
    assert "1 name · 1 document · 1 event" in page
    assert "people.Name" not in page and "incidents.EventPerson" not in page


def test_moved_kinds_are_counted_in_words_and_undo_facts_left_out() -> None:
    moved = {
        "people.Name": [1, 2],
        "people.Name:primary": [1],
        "incidents.Episode": [3],
        "incidents.EventPerson:shared": [4],
        "matching.ListRow": [],
        "documents.Scan": [5, 6],  # no phrase of its own: its model's verbose name
    }
    assert moved_in_words(moved) == ["2 names", "1 custody episode", "2 scans"]
