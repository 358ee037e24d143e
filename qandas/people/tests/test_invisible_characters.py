"""Characters no one sees are not kept in a name: the zero-width space, the byte order
mark, and the marks and overrides that set the direction of text. The zero-width
non-joiner and joiner are part of Persian and Urdu spelling, and are kept."""

import unicodedata
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from qandas.lib.scripts import INVISIBLE, visible
from qandas.people.models import Person
from qandas.people.tests.test_views import person_form
from qandas.test import Cast

ZWNJ, ZWJ = "\u200c", "\u200d"


@pytest.mark.once
def test_every_invisible_format_character_is_dropped_but_the_joiners() -> None:
    every = (chr(point) for point in range(0x110000))
    format_characters = {c for c in every if unicodedata.category(c) == "Cf"}
    dropped = {c for c in format_characters if INVISIBLE.fullmatch(c)}
    assert format_characters - dropped == {ZWNJ, ZWJ}
    assert visible("\ufeffKai\u200brat\u202e Bek\u00adov\u2066") == "Kairat Bekov"
    assert visible(f"علی{ZWNJ}رضا") == f"علی{ZWNJ}رضا"


@pytest.mark.django_db
@pytest.mark.engines
def test_the_form_stores_a_name_without_them_and_refuses_one_of_only_them(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.coordinator)
    response = client.post("/people/new/", person_form(cast.karachi, "\u200bKairat\u202e Bekov"))
    assert response.status_code == 302
    person = Person.objects.get()
    assert [n.text for n in person.names.all()] == ["Kairat Bekov"]
    response = client.post("/people/new/", person_form(cast.karachi, "\u200b\u200e"))
    assert response.status_code == 200
    # The row is empty once they are dropped: the person has no name.
    assert "Type at least one name" in str(response.context["names"].non_form_errors())
    assert Person.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.engines
def test_the_api_stores_names_and_the_fathers_name_without_them(api: Any) -> None:
    body = {
        "names": [{"text": "Aigerim\u200b Bekova\ufeff"}, {"text": f"علی{ZWNJ}رضا\u200f"}],
        "father_name": "\u202eBolat",
    }
    response = api("coordinator", "post", "/people", body)
    assert response.status_code == 201, response.content
    person = Person.objects.get(code=response.json()["code"])
    assert [n.text for n in person.names.all()] == ["Aigerim Bekova", f"علی{ZWNJ}رضا"]
    assert person.father_name == "Bolat"
    refused = api("coordinator", "post", "/people", {"names": [{"text": "\u200b"}]})
    assert refused.status_code == 422
    assert Person.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.engines
def test_an_import_stores_names_without_them(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "name,other_names,father_name,city\n"
        "Dauren\u200b Sharifi,\u200eДаурен Шарифи,Bo\u2060lat,karachi\n",
        "utf-8",
    )
    call_command("import_people", str(path), "--org", "test-network", stdout=StringIO())
    person = Person.objects.get()
    assert [n.text for n in person.names.all()] == ["Dauren Sharifi", "Даурен Шарифи"]
    assert person.father_name == "Bolat"
