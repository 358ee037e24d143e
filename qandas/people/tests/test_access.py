"""Every people and household page against every member of the cast (DESIGN section 1)."""

from typing import Any

import pytest
from django.test import Client

from qandas.audit.models import AuditEvent, Verb
from qandas.lib.files import clean_upload
from qandas.people.models import Household, Person
from qandas.people.tests.test_photo import png_upload
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

READERS = {"coordinator", "lawyer", "liaison", "admin"}
EDITORS = {"coordinator", "admin"}
# The Quetta coordinator is not refused by role: a Karachi record is simply not theirs.
NOT_THEIR_CITY = {"quetta_coordinator": 404}
# Registering is for coordinators and admins of any organisation (into their own).
REGISTRARS = {"coordinator", "quetta_coordinator", "admin", "outsider", "outsider_admin"}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    household = Household.objects.create(
        organisation=cast.organisation,
        city=cast.karachi,
        area="Sohrab Goth",
        address="House 12, Street 4",
        phones=["+923001234534"],
    )
    person = Person.objects.create(
        organisation=cast.organisation,
        current_city=cast.karachi,
        household=household,
        relationship="head",
        father_name="Serik",
        phones=["+923001234567"],
    )
    person.set_names([{"text": "Тохтаров Нурлан"}, {"text": "Nurlan Tokhtarov"}])
    person.set_photo(clean_upload(png_upload()), by=cast.coordinator)
    return {"person": person, "household": household}


def person_state(o: dict[str, Any]) -> Any:
    person = Person.objects.get(pk=o["person"].pk)
    return (
        person.father_name,
        person.phones,
        person.redacted_at,
        person.photo,
        [n.text for n in person.names.all()],
    )


def household_state(o: dict[str, Any]) -> Any:
    return Household.objects.filter(pk=o["household"].pk).values_list("area", "address")[0]


def people_count(o: dict[str, Any]) -> int:
    return Person.objects.count()


def household_count(o: dict[str, Any]) -> int:
    return Household.objects.count()


def reveals(o: dict[str, Any]) -> int:
    return AuditEvent.objects.filter(verb=Verb.REVEAL).count()


def person_url(suffix: str = "") -> Any:
    return lambda o: f"/people/{o['person'].code}/{suffix}"


def household_url(suffix: str = "") -> Any:
    return lambda o: f"/households/{o['household'].code}/{suffix}"


EDIT_PERSON = {"father_name": "Taken over", "names-TOTAL_FORMS": "0", "names-INITIAL_FORMS": "0"}
NEW_PERSON = {"names-TOTAL_FORMS": "1", "names-INITIAL_FORMS": "0", "names-0-text": "Intruder"}

HTML_CASES = [
    Case(
        "people:list",
        lambda o: "/people/",
        READERS | {"quetta_coordinator", "outsider", "outsider_admin"},
    ),
    Case("people:detail", person_url(), READERS, overrides=NOT_THEIR_CITY),
    Case(
        "people:reveal",
        person_url("reveal/"),
        READERS,
        method="post",
        overrides=NOT_THEIR_CITY,
        unchanged=reveals,
    ),
    Case("people:create", lambda o: "/people/new/", REGISTRARS),
    Case(
        "people:create",
        lambda o: "/people/new/",
        REGISTRARS,
        method="post",
        data=NEW_PERSON,
        unchanged=people_count,
    ),
    Case("people:edit", person_url("edit/"), EDITORS, overrides=NOT_THEIR_CITY),
    Case(
        "people:edit",
        person_url("edit/"),
        EDITORS,
        method="post",
        data=EDIT_PERSON,
        overrides=NOT_THEIR_CITY,
        unchanged=person_state,
    ),
    Case("people:redact", person_url("redact/"), EDITORS, overrides=NOT_THEIR_CITY),
    Case(
        "people:redact",
        person_url("redact/"),
        EDITORS,
        method="post",
        overrides=NOT_THEIR_CITY,
        unchanged=person_state,
    ),
    Case("people:photo", person_url("photo/"), READERS, overrides=NOT_THEIR_CITY),
    Case("people:photo_upload", person_url("photo/new/"), EDITORS, overrides=NOT_THEIR_CITY),
    Case(
        "people:photo_upload",
        person_url("photo/new/"),
        EDITORS,
        method="post",
        data={},
        overrides=NOT_THEIR_CITY,
        unchanged=person_state,
    ),
    Case("people:household", household_url(), READERS, overrides=NOT_THEIR_CITY),
    Case(
        "people:household_reveal",
        household_url("reveal/"),
        READERS,
        method="post",
        overrides=NOT_THEIR_CITY,
        unchanged=reveals,
    ),
    Case("people:household_create", lambda o: "/households/new/", REGISTRARS),
    Case(
        "people:household_create",
        lambda o: "/households/new/",
        REGISTRARS,
        method="post",
        data={"area": "Intruder"},
        unchanged=household_count,
    ),
    Case("people:household_edit", household_url("edit/"), EDITORS, overrides=NOT_THEIR_CITY),
    Case(
        "people:household_edit",
        household_url("edit/"),
        EDITORS,
        method="post",
        data={"area": "Taken over"},
        overrides=NOT_THEIR_CITY,
        unchanged=household_state,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    run_case(client, cast, objects, case, api=False)


def test_analysts_get_no_people_link(client: Client, cast: Cast) -> None:
    client.force_login(cast.analyst)
    assert b'href="/people/"' not in client.get("/").content
    client.force_login(cast.lawyer)
    assert b'href="/people/"' in client.get("/").content
