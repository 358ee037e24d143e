"""What the list upload form refuses before anything is read or stored: a date no list
can have, and a place the kind of list cannot record its event at."""

from typing import Any

import pytest
from django.test import Client

from qandas.incidents.models import Place
from qandas.matching.models import ListUpload
from qandas.matching.tests.test_lists import post_list
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def place(cast: Cast, kind: str, name: str) -> Place:
    return Place.objects.create(organisation=cast.organisation, kind=kind, name=name)


def test_a_date_of_year_one_is_refused(client: Client, cast: Cast) -> None:
    client.force_login(cast.coordinator)
    response = post_list(client, "name\nAibek Sharifi\n", listed_on="0001-01-01")
    assert response.status_code == 200
    assert response.context["form"].errors["listed_on"] == [
        "A list dated before 1970 must be a typing error: check the year."
    ]
    assert not ListUpload.objects.exists()
    # The field is described by its error, which a screen reader then reads with it
    # (found by exploratory testing, 13b: the id it named was nowhere on the page).
    page = response.content.decode()
    assert 'aria-describedby="id_listed_on_error"' in page
    assert '<div id="id_listed_on_error"><p class="error" role="alert">A list dated' in page


@pytest.mark.parametrize(
    ("kind", "place_kind", "refused"),
    [
        ("police", "border_crossing", "A police list's place is a police station or a prison"),
        ("court", "police_station", "A court list's place is a court"),
        ("deportation", "court", "A deportation's place is the border crossing"),
        ("police", "prison", ""),
        ("court", "court", ""),
        ("embassy", "police_station", ""),  # an embassy list records no event: any place
    ],
)
def test_a_place_the_kind_of_list_cannot_record_at_is_refused(
    client: Client, cast: Cast, kind: str, place_kind: str, refused: str
) -> None:
    where = place(cast, place_kind, "Somewhere")
    client.force_login(cast.coordinator)
    response = post_list(client, "name\nAibek Sharifi\n", kind=kind, place=str(where.code))
    if refused:
        assert response.status_code == 200
        assert response.context["form"].errors["place"][0].startswith(refused)
        assert not ListUpload.objects.exists()
    else:
        assert response.status_code == 302, response.context["form"].errors
        assert ListUpload.objects.count() == 1


def test_an_upload_stops_reading_at_the_row_limit(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qandas.matching import lists

    seen: list[Any] = []
    real = lists.read

    def spy(data: bytes, **kwargs: Any) -> Any:
        seen.append(kwargs.get("max_rows"))
        return real(data, **kwargs)

    monkeypatch.setattr(lists, "read", spy)
    client.force_login(cast.coordinator)
    response = post_list(client, "name\n" + "a\n" * (lists.MAX_ROWS + 1))
    assert seen == [lists.MAX_ROWS]
    error = response.context["form"].errors["file"][0]
    assert "more than 5,000 rows; the limit here is 5,000" in error
