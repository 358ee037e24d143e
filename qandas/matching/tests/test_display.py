"""How matching's pages show what they found: why a record matched, in any script."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client

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


def test_the_pair_page_shows_why_in_the_page_direction(client: Client, cast: Cast) -> None:
    first = person(cast, ARABIC, born=1965)
    second = person(cast, ARABIC_TWIN, born=1965)
    client.force_login(cast.coordinator)
    page = client.get(f"/duplicates/{first.code}/{second.code}/").content.decode()
    why = re.search(r'<small class="why"[^>]*>(.*?)</small>', page)
    assert why is not None, page
    assert 'dir="auto"' not in why.group(0)
    assert "<bdi>قیرات</bdi> ≈ <bdi>قیرات</bdi>" in why.group(1)
