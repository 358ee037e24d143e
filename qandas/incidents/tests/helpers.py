"""Records the custody tests share: a Karachi household, a station, an arrest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from qandas.accounts.models import City, Organisation, User
from qandas.incidents import actions
from qandas.incidents.models import Event, Place
from qandas.people.models import Household, Person


def household_of(
    organisation: Organisation, city: City, names: list[str]
) -> tuple[Household, list[Person]]:
    household = Household.objects.create(organisation=organisation, city=city)
    people = []
    for i, name in enumerate(names):
        person = Person.objects.create(
            organisation=organisation,
            current_city=city,
            household=household,
            relationship="head" if i == 0 else "child",
        )
        person.set_names([{"text": name}])
        people.append(person)
    return household, people


def place(organisation: Organisation, name: str, kind: str = "police_station") -> Place:
    return Place.objects.create(organisation=organisation, kind=kind, name=name)


@dataclass
class Raid:
    household: Household
    people: list[Person]
    station: Place
    arrest: Event


def raid(
    organisation: Organisation,
    city: City,
    by: User,
    *,
    hours_ago: float = 30,
    names: tuple[str, ...] = ("Bolat Testov", "Serik Testov", "Marat Testov"),
    now: datetime | None = None,
) -> Raid:
    """A household whose men were all taken ``hours_ago``, with a station nearby."""
    now = now or timezone.now()
    household, people = household_of(organisation, city, list(names))
    station = place(organisation, f"Station {uuid.uuid4().hex[:6]}")
    outcome = actions.record_arrest(
        by=by,
        household=household,
        people=people,
        occurred_at=now - timedelta(hours=hours_ago),
        place=None,
        document_shown="ignored",
        idempotency_key=uuid.uuid4(),
        now=now,
    )
    arrest = next(e for e in outcome.events if e.kind == "arrest")
    return Raid(household, people, station, arrest)
