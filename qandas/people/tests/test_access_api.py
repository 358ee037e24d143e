"""Who may use each people and households API operation."""

from typing import Any

import pytest
from django.test import Client

from qandas.lib.files import clean_upload
from qandas.people.models import Household, Person
from qandas.people.tests.test_photo import png_upload
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

READERS_HERE = {"coordinator", "lawyer", "liaison", "admin"}
NOT_VISIBLE = {"quetta_coordinator": 404}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    household = Household.objects.create(
        organisation=cast.organisation, city=cast.karachi, address="House 1"
    )
    person = Person.objects.create(
        organisation=cast.organisation, current_city=cast.karachi, household=household
    )
    person.set_names([{"text": "Aidos Tokhtarov"}])
    person.set_photo(clean_upload(png_upload()), by=cast.coordinator)
    return {"person": person, "household": household, "organisation": cast.organisation}


def people_here(o: dict[str, Any]) -> Any:
    return sorted(
        Person.objects.filter(organisation=o["organisation"]).values_list("pk", "father_name")
    )


def households_here(o: dict[str, Any]) -> Any:
    return sorted(
        Household.objects.filter(organisation=o["organisation"]).values_list("pk", "area")
    )


API_CASES = [
    Case(
        "GET /api/v1/people",
        lambda o: "/api/v1/people",
        {
            "coordinator",
            "quetta_coordinator",
            "lawyer",
            "liaison",
            "admin",
            "outsider",
            "outsider_admin",
        },
    ),
    Case(
        "POST /api/v1/people",
        lambda o: "/api/v1/people",
        {"coordinator", "admin", "outsider", "outsider_admin"},
        method="post",
        data={"names": [{"text": "New Person"}], "city": "karachi"},
        # Allowed members post in name order: the admin registers New Person in Karachi
        # first, so the coordinator, who sees that record, gets the duplicate guard's 409;
        # so does the other organisation's admin after its coordinator.
        overrides={"quetta_coordinator": 400, "coordinator": 409, "outsider_admin": 409},
        unchanged=people_here,
    ),
    Case(
        "GET /api/v1/people/{code}",
        lambda o: f"/api/v1/people/{o['person'].code}",
        READERS_HERE,
        overrides=NOT_VISIBLE,
    ),
    Case(
        "PATCH /api/v1/people/{code}",
        lambda o: f"/api/v1/people/{o['person'].code}",
        {"coordinator", "admin"},
        method="patch",
        data={"father_name": "Changed"},
        overrides=NOT_VISIBLE,
        unchanged=people_here,
    ),
    Case(
        "POST /api/v1/people/{code}/reveal",
        lambda o: f"/api/v1/people/{o['person'].code}/reveal",
        READERS_HERE,
        method="post",
        overrides=NOT_VISIBLE,
    ),
    Case(
        "GET /api/v1/people/{code}/photo",
        lambda o: f"/api/v1/people/{o['person'].code}/photo",
        READERS_HERE,
        overrides=NOT_VISIBLE,
    ),
    Case(
        "POST /api/v1/people/{code}/photo",
        lambda o: f"/api/v1/people/{o['person'].code}/photo",
        {"coordinator", "admin"},
        method="post",
        overrides={**NOT_VISIBLE, "coordinator": 400, "admin": 400},
        unchanged=people_here,
    ),
    Case(
        "GET /api/v1/households",
        lambda o: "/api/v1/households",
        {
            "coordinator",
            "quetta_coordinator",
            "lawyer",
            "liaison",
            "admin",
            "outsider",
            "outsider_admin",
        },
    ),
    Case(
        "POST /api/v1/households",
        lambda o: "/api/v1/households",
        {"coordinator", "admin", "outsider", "outsider_admin"},
        method="post",
        data={"city": "karachi", "area": "New"},
        overrides={"quetta_coordinator": 400},
        unchanged=households_here,
    ),
    Case(
        "GET /api/v1/households/{code}",
        lambda o: f"/api/v1/households/{o['household'].code}",
        READERS_HERE,
        overrides=NOT_VISIBLE,
    ),
    Case(
        "PATCH /api/v1/households/{code}",
        lambda o: f"/api/v1/households/{o['household'].code}",
        {"coordinator", "admin"},
        method="patch",
        data={"area": "Changed"},
        overrides=NOT_VISIBLE,
        unchanged=households_here,
    ),
    Case(
        "POST /api/v1/households/{code}/reveal",
        lambda o: f"/api/v1/households/{o['household'].code}/reveal",
        READERS_HERE,
        method="post",
        overrides=NOT_VISIBLE,
    ),
]


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    run_case(client, cast, objects, case, api=True)
