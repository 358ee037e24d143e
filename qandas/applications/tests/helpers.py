"""Records the applications tests share: a Karachi household with an application."""

from __future__ import annotations

from typing import Any

from qandas.accounts.models import City, Organisation
from qandas.applications.models import Application, Authority, Batch, Official
from qandas.people.models import Household, Person


def household_of(
    organisation: Organisation, city: City, names: tuple[str, ...] = ("Bolat Testov",)
) -> tuple[Household, list[Person]]:
    household = Household.objects.create(organisation=organisation, city=city)
    people = []
    for name in names:
        person = Person.objects.create(
            organisation=organisation, current_city=city, household=household
        )
        person.set_names([{"text": name}])
        people.append(person)
    return household, people


def setting(organisation: Organisation, city: City) -> dict[str, Any]:
    """An embassy with its ambassador, a batch, and two draft applications in Karachi:
    one for a person, one for their household (in the batch)."""
    household, people = household_of(organisation, city)
    authority = Authority.objects.create(
        organisation=organisation, kind="embassy", name="Embassy of Kazakhstan", country="PK"
    )
    official = Official.objects.create(authority=authority, name="A. Ambassador", post="Ambassador")
    batch = Batch.objects.create(organisation=organisation, name="December", authority=authority)
    application = Application.objects.create(
        organisation=organisation, kind="visa", person=people[0], authority=authority
    )
    household_application = Application.objects.create(
        organisation=organisation,
        kind="qandas_status",
        household=household,
        authority=authority,
        batch=batch,
    )
    return {
        "household": household,
        "person": people[0],
        "authority": authority,
        "official": official,
        "batch": batch,
        "application": application,
        "household_application": household_application,
    }


def authorities(o: dict[str, Any]) -> Any:
    return sorted(Authority.objects.values_list("pk", "name"))


def officials(o: dict[str, Any]) -> Any:
    return sorted(Official.objects.values_list("pk", "name", "until_on"))


def applications(o: dict[str, Any]) -> Any:
    rows = Application.objects.values_list("pk", "kind", "status", "batch_id", "reference")
    return [*sorted(rows), o["application"].history.count()]


def batches(o: dict[str, Any]) -> Any:
    return sorted(Batch.objects.values_list("pk", "name"))
