"""The people list's search form: what it refuses, and a document number found alone."""

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.accounts.models import City
from qandas.people.models import Person
from qandas.test import Cast

pytestmark = pytest.mark.django_db

NUMBER = "AB 123-456"
THIS_YEAR = timezone.localdate().year


def make_person(cast: Cast, name: str, *, city: City | None = None, number: str = "") -> Person:
    person = Person.objects.create(
        organisation=cast.organisation, current_city=city or cast.karachi, father_name="Serik"
    )
    person.set_names([{"text": name}])
    if number:
        person.documents.create(organisation=cast.organisation, kind="por_card", number=number)
    return person


@pytest.fixture
def people(cast: Cast) -> dict[str, Person]:
    return {
        "holder": make_person(cast, "Azamat Saparbekov", number=NUMBER),
        "other": make_person(cast, "Aigerim Bekova", number="AB 123-4567"),
        "none": make_person(cast, "Nurlan Tokhtarov"),
        "quetta": make_person(cast, "Askar Omarov", city=cast.quetta, number=NUMBER),
    }


def searched(client: Client, data: dict[str, Any], *, htmx: bool = False) -> tuple[Any, str]:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post("/people/", data, headers=headers)
    assert response.status_code == 200
    return response, response.content.decode()


def shown(page: str, people: dict[str, Person]) -> set[str]:
    return {key for key, person in people.items() if str(person.code) in page}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"q": "Azamat" + "x" * 1994}, "at most 200 characters"),
        ({"birth_year": "abc", "q": "Azamat"}, "Born in (year)"),
        ({"birth_year": "2090", "q": "Azamat"}, "A birth year is from 1900 to"),
        ({"birth_year": str(THIS_YEAR + 1), "q": "Azamat"}, "A birth year is from 1900 to"),
        ({"birth_year": "1899", "q": "Azamat"}, "A birth year is from 1900 to"),
        ({"q": "😀"}, "A name needs at least one letter"),
        ({"q": "Azamat", "father_name": "😀"}, "A name needs at least one letter"),
        ({"q": " ? "}, "A name needs at least one letter"),
        ({"city": "999"}, "City"),
        ({"household": "not-a-code"}, "Unknown household"),
        ({"document": "lost"}, "Has a document that is"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_an_invalid_search_says_what_is_wrong_and_lists_nobody(
    client: Client,
    cast: Cast,
    people: dict[str, Person],
    data: dict[str, str],
    words: str,
    htmx: bool,
) -> None:
    client.force_login(cast.coordinator)
    response, page = searched(client, data, htmx=htmx)
    results = page.split('id="results"')[1]
    assert "Nothing was searched" in results and words in results
    assert shown(page, people) == set()
    if not htmx:
        assert not response.context["page"].object_list


def test_a_valid_search_and_the_bare_list_are_unchanged(
    client: Client, cast: Cast, people: dict[str, Person]
) -> None:
    client.force_login(cast.coordinator)
    _response, page = searched(client, {"q": "", "birth_year": "", "document_number": ""})
    assert shown(page, people) == {"holder", "other", "none"}
    assert "Nothing was searched" not in page
    page = client.get("/people/").content.decode()
    assert shown(page, people) == {"holder", "other", "none"}


# Names are keyed (raw SQL) and numbers compared by a regular expression: engine-dependent.
@pytest.mark.engines
@pytest.mark.parametrize("typed", [NUMBER, "ab123456", " AB/123 456 "])
def test_a_document_number_alone_finds_its_visible_holders(
    client: Client, cast: Cast, people: dict[str, Person], typed: str
) -> None:
    client.force_login(cast.coordinator)
    response, page = searched(client, {"document_number": typed})
    # The Quetta holder is not the Karachi coordinator's to see.
    assert shown(page, people) == {"holder"}
    (found,) = response.context["page"].object_list
    assert found.score == 1.0 and found.why == "same document number"
    client.force_login(cast.admin)
    _response, page = searched(client, {"document_number": typed}, htmx=True)
    assert shown(page, people) == {"holder", "quetta"}
    _response, page = searched(client, {"document_number": typed, "city": cast.quetta.pk})
    assert shown(page, people) == {"quetta"}


@pytest.mark.parametrize(
    "data",
    [{"father_name": "Serik"}, {"birth_year": "1990"}, {"father_name": "Serik", "city": "1"}],
)
def test_facts_that_only_rank_need_a_name_or_a_document_number(
    client: Client, cast: Cast, people: dict[str, Person], data: dict[str, str]
) -> None:
    client.force_login(cast.coordinator)
    if "city" in data:
        data = {**data, "city": str(cast.karachi.pk)}
    _response, page = searched(client, data)
    assert "a name or a document number" in page
    assert shown(page, people) == set()


def test_a_document_number_without_letters_or_digits_is_refused(
    client: Client, cast: Cast, people: dict[str, Person]
) -> None:
    client.force_login(cast.coordinator)
    _response, page = searched(client, {"document_number": " -/- "})
    assert "Nothing was searched" in page and "letters or digits" in page
    assert shown(page, people) == set()


@pytest.mark.engines
@pytest.mark.parametrize("year", ["1900", str(THIS_YEAR)])
def test_a_birth_year_from_1900_to_this_year_ranks_the_search(
    client: Client, cast: Cast, people: dict[str, Person], year: str
) -> None:
    client.force_login(cast.coordinator)
    _response, page = searched(client, {"q": "Azamat Saparbekov", "birth_year": year})
    assert "Nothing was searched" not in page and "A birth year is" not in page
    assert "holder" in shown(page, people)


# The API answers the same searches the same way.


@pytest.mark.engines
def test_the_api_finds_by_document_number_alone(api: Any, people: dict[str, Person]) -> None:
    body = api("coordinator", "get", "/people?document_number=ab123456").json()
    assert [p["code"] for p in body["results"]] == [str(people["holder"].code)]
    assert body["results"][0]["score"] == 1.0 and body["count"] == 1


def test_the_api_refuses_a_query_with_no_letter_nor_digit(
    api: Any, people: dict[str, Person]
) -> None:
    for query in ("😀", "?", "★★"):
        response = api("coordinator", "get", f"/people?q={query}")
        assert response.status_code == 422, query
        assert response.json()["detail"] == "A name needs at least one letter, in any script."
    response = api("coordinator", "get", "/people?q=Azamat&father_name=😀")
    assert response.status_code == 422
    assert "A name needs at least one letter, in any script." in response.content.decode()


def test_the_api_refuses_facts_that_only_rank_without_a_name(
    api: Any, people: dict[str, Person]
) -> None:
    for query in ("father_name=Serik", "birth_year=1990", "q=%20%20&father_name=Serik"):
        response = api("coordinator", "get", f"/people?{query}")
        assert response.status_code == 422, query
        assert "name or a document number" in response.json()["detail"]
    response = api("coordinator", "get", "/people?document_number=-")
    assert response.status_code == 422 and "letters or digits" in response.json()["detail"]


@pytest.mark.parametrize("year", ["2090", str(THIS_YEAR + 1), "1899", "0"])
def test_the_api_refuses_a_birth_year_no_one_can_have(
    api: Any, people: dict[str, Person], year: str
) -> None:
    response = api("coordinator", "get", f"/people?q=Azamat&birth_year={year}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert "birth_year" in body["detail"] and "results" not in body
    if int(year) > THIS_YEAR:
        assert f"A birth year is from 1900 to {THIS_YEAR}." in body["detail"]


@pytest.mark.engines
@pytest.mark.parametrize("year", ["1900", str(THIS_YEAR)])
def test_the_api_ranks_by_a_birth_year_from_1900_to_this_year(
    api: Any, people: dict[str, Person], year: str
) -> None:
    response = api("coordinator", "get", f"/people?q=Azamat%20Saparbekov&birth_year={year}")
    assert response.status_code == 200, response.content
    assert str(people["holder"].code) in [p["code"] for p in response.json()["results"]]


def test_the_birth_year_range_is_checked_by_the_server_not_the_browser(
    client: Client, cast: Cast
) -> None:
    """The browser's own check stopped the search with a bubble and left the last
    results on the page; the server's says what is wrong, in place of the results."""
    client.force_login(cast.coordinator)
    page = client.get("/people/").content.decode()
    (field,) = re.findall(r'<input[^>]*name="birth_year"[^>]*>', page)
    assert "min=" not in field and "max=" not in field


@pytest.mark.engines
def test_a_search_that_stops_at_its_best_says_more_may_match(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fifty people written alike filled a search, and the ones spelt otherwise behind
    them were not shown, with nothing said: the page looked like every match."""
    from qandas.matching import search

    monkeypatch.setattr(search, "BEST_SHOWN", 3)
    for _ in range(4):
        make_person(cast, "Nurlan Tokhtarov")
    client.force_login(cast.coordinator)
    _response, page = searched(client, {"q": "Nurlan Tokhtarov"})
    assert "3 people" in page and "more people may match as well" in page
    _response, page = searched(client, {"q": "Azamat Saparbekov"})
    assert "more people may match" not in page
    # Cut at three, the third under the floor: nobody left out would have been shown.
    from types import SimpleNamespace

    def scored(*scores: float) -> Any:
        return lambda *_a, **_k: [SimpleNamespace(score=one) for one in scores]

    monkeypatch.setattr(search, "scored_people", scored(0.9, 0.7, 0.3))
    assert not search.rank_people(Person.objects.none(), "x").capped
    monkeypatch.setattr(search, "scored_people", scored(0.9, 0.7, 0.6))
    assert search.rank_people(Person.objects.none(), "x").capped
