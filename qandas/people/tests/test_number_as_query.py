"""A document number typed in the name box finds its holders, as in the number box."""

from typing import Any

import pytest
from django.test import Client

from qandas.people.tests.test_list_search import NUMBER, make_person, searched, shown
from qandas.test import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.engines]


@pytest.mark.parametrize("typed", [NUMBER, "ab123456", "AB/123 456"])
def test_a_number_in_the_name_box_finds_its_visible_holders(
    client: Client, cast: Cast, api: Any, typed: str
) -> None:
    people = {
        "holder": make_person(cast, "Azamat Saparbekov", number=NUMBER),
        "quetta": make_person(cast, "Askar Omarov", city=cast.quetta, number=NUMBER),
        "namesake": make_person(cast, "Ab Bekov"),
    }
    client.force_login(cast.coordinator)
    response, page = searched(client, {"q": typed})
    assert shown(page, people) == {"holder"}  # Quetta's is not the coordinator's to see
    (found,) = response.context["page"].object_list
    assert found.why == "same document number"
    body = api("coordinator", "get", f"/people?q={typed}").json()
    assert [p["code"] for p in body["results"]] == [str(people["holder"].code)]


def test_a_name_with_a_digit_that_nobody_holds_is_searched_as_a_name(
    client: Client, cast: Cast
) -> None:
    kairat = make_person(cast, "Kairat Saparbekov", number="KS-1")
    client.force_login(cast.coordinator)
    _response, page = searched(client, {"q": "Kairat 2"})
    assert shown(page, {"kairat": kairat}) == {"kairat"}
