"""How the register's pages show names and values in any script, in either direction.

A name is isolated in a ``<bdi>`` inside an element that keeps the page's direction,
so the separator between names (CSS on ``.name``) and a cell's alignment follow the
page, and each name keeps its own direction.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from qandas.people.models import Household, Person
from qandas.people.tests.test_views import make_person, person_form
from qandas.test import Cast

pytestmark = pytest.mark.django_db

NAMES = ["Kairat Saparbekov", "Сапарбеков Қайрат", "قیرات ساپاربیکوف"]


def name_tags(html: str) -> list[str]:
    """Every element of class ``name`` with its content up to the first close tag."""
    return re.findall(r'<(?:span|a) class="name"[^>]*>.*?</', html)


def assert_names_isolated(html: str, *names: str) -> None:
    tags = name_tags(html)
    assert tags, "no names shown"
    for tag in tags:
        assert 'dir="auto"' not in tag.split(">")[0], tag  # the separator follows the page
        assert "<bdi>" in tag, tag  # and the name keeps its own direction
    for name in names:
        assert f"<bdi>{name}</bdi>" in html


def test_the_duplicate_guard_isolates_each_name_and_value(client: Client, cast: Cast) -> None:
    make_person(cast, *NAMES, father_name="Abzal")
    client.force_login(cast.coordinator)
    html = client.post("/people/new/", person_form(cast.karachi, "Kairat Saparbekov")).content
    page = html.decode()
    assert "This may be someone already registered" in page
    assert_names_isolated(page, *NAMES)
    # An LTR father's name in an RTL page is aligned like its cell, not by itself.
    assert "<td><bdi>Abzal</bdi></td>" in page
    assert '<td dir="auto">' not in page


def test_the_people_search_isolates_other_names_and_the_names_in_why(
    client: Client, cast: Cast
) -> None:
    """A search in Arabic script: its explanation keeps the page's direction (it began
    right to left with the query's name), each name in it isolated."""
    make_person(cast, *NAMES)
    client.force_login(cast.coordinator)
    page = client.post("/people/", {"q": NAMES[2]}).content.decode()
    assert_names_isolated(page, *NAMES[1:])
    (why,) = re.findall(r'<small class="why"[^>]*>.*?</small>', page, re.DOTALL)
    assert 'dir="auto"' not in why.split(">")[0]
    assert why.count("<bdi>") == 4 and "<bdi>ساپاربیکوف</bdi> ≈" in why  # two pairs


def test_the_household_page_isolates_members_other_names(client: Client, cast: Cast) -> None:
    household = Household.objects.create(organisation=cast.organisation, city=cast.karachi)
    member: Person = make_person(cast, *NAMES, household=household)
    client.force_login(cast.coordinator)
    page = client.get(f"/households/{household.code}/").content.decode()
    assert member.primary_name in page
    assert_names_isolated(page, *NAMES[1:])


def test_the_person_page_aligns_values_with_the_page(client: Client, cast: Cast) -> None:
    person = make_person(cast, *NAMES, father_name="Abzal", clan="Naiman")
    client.force_login(cast.coordinator)
    page = client.get(f"/people/{person.code}/").content.decode()
    assert "<h1><bdi>Kairat Saparbekov</bdi></h1>" in page
    assert "<dd><bdi>Abzal</bdi></dd>" in page and "<dd><bdi>Naiman</bdi></dd>" in page
    assert "<td><bdi>Сапарбеков Қайрат</bdi></td>" in page


# A block (a cell, a heading, a fact) of dir="auto" aligns to its own content's start:
# an LTR value sat at the left of a right-to-left page. Its value goes in a <bdi>.
BLOCK_OF_ITS_OWN_DIRECTION = re.compile(r'<(td|th|dd|dt|h[1-6]|li|div)\b[^>]*\bdir="auto"')


def test_no_template_gives_a_cell_or_heading_its_contents_direction() -> None:
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match[0]}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for match in BLOCK_OF_ITS_OWN_DIRECTION.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_stylesheet_uses_logical_properties_only() -> None:
    css = Path(settings.BASE_DIR, "static", "css", "qandas.css").read_text(encoding="utf-8")
    physical = re.findall(r"(?:[\w-]*(?:left|right)[\w-]*\s*:|:\s*(?:left|right)\b)", css)
    assert physical == []
