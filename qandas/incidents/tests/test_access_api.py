"""Who may use each custody API operation (DESIGN section 1)."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.incidents import actions
from qandas.incidents.models import Acknowledgement, Alarm, Episode, Event, Place
from qandas.people.models import Household, Person
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

# Custody records: not for liaisons or analysts (403); the person lives in Karachi.
READERS = {"coordinator", "lawyer", "admin"}
WRITERS = READERS
UNSEEN = {"quetta_coordinator": 404}
# Lists answer everyone with a custody role, each with what is theirs (maybe nothing).
LISTERS = READERS | {"quetta_coordinator", "outsider", "outsider_admin"}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    household = Household.objects.create(
        organisation=cast.organisation, city=cast.karachi, address="House 1"
    )
    person = Person.objects.create(
        organisation=cast.organisation, current_city=cast.karachi, household=household
    )
    person.set_names([{"text": "Aidos Tokhtarov"}])
    place = Place.objects.create(
        organisation=cast.organisation, kind="police_station", name="Thana 1", city=cast.karachi
    )
    # Arrested 30 hours ago and not located: the clocks have raised alarms.
    outcome = actions.record_arrest(
        by=cast.coordinator,
        household=household,
        people=[person],
        occurred_at=timezone.now() - timedelta(hours=30),
        place=None,
        document_shown="ignored",
        idempotency_key=uuid.uuid4(),
    )
    alarm = Alarm.objects.filter(person=person).first()
    assert alarm is not None
    return {
        "organisation": cast.organisation,
        "household": household,
        "person": person,
        "place": place,
        "event": outcome.events[-1],
        "episode": Episode.objects.get(person=person),
        "alarm": alarm,
    }


def places_of(o: dict[str, Any]) -> Any:
    return sorted(Place.objects.values_list("pk", flat=True))


def events_of(o: dict[str, Any]) -> Any:
    return sorted(Event.objects.filter(people=o["person"]).values_list("pk", flat=True))


def event_state(o: dict[str, Any]) -> Any:
    event = Event.objects.get(pk=o["event"].pk)
    return event.snapshot(), event.retracted_at, event.revisions.count()


def acknowledgements_of(o: dict[str, Any]) -> Any:
    return list(Acknowledgement.objects.filter(alarm=o["alarm"]).values_list("pk", flat=True))


def an_hour_ago() -> str:
    return (timezone.now() - timedelta(hours=1)).isoformat()


# Bodies that need the fixture's codes, by case name.
DATA = {
    "POST /api/v1/events": lambda o: {
        "kind": "contact",
        "channel": "call",
        "people": [str(o["person"].code)],
        "occurred_at": an_hour_ago(),
    },
    "POST /api/v1/arrests": lambda o: {
        "household": str(o["household"].code),
        "people": [str(o["person"].code)],
        "occurred_at": an_hour_ago(),
    },
}

API_CASES = [
    Case("GET /api/v1/places", lambda o: "/api/v1/places", LISTERS),
    Case(
        "POST /api/v1/places",
        lambda o: "/api/v1/places",
        {"coordinator", "quetta_coordinator", "admin", "outsider", "outsider_admin"},
        method="post",
        data={"kind": "police_station", "name": "New Thana"},
        # Tried in name order: the first of each organisation adds it, the rest are
        # told their organisation already has it.
        overrides={"coordinator": 422, "quetta_coordinator": 422, "outsider_admin": 422},
        unchanged=places_of,
    ),
    Case(
        "GET /api/v1/places/{code}",
        lambda o: f"/api/v1/places/{o['place'].code}",
        READERS | {"quetta_coordinator"},
    ),
    Case("GET /api/v1/events", lambda o: f"/api/v1/events?person={o['person'].code}", LISTERS),
    Case(
        "POST /api/v1/events",
        lambda o: "/api/v1/events",
        WRITERS,
        method="post",
        data=None,  # set per test from DATA
        overrides=UNSEEN,
        unchanged=events_of,
    ),
    Case(
        "GET /api/v1/events/{code}",
        lambda o: f"/api/v1/events/{o['event'].code}",
        READERS,
        overrides=UNSEEN,
    ),
    Case(
        "PATCH /api/v1/events/{code}",
        lambda o: f"/api/v1/events/{o['event'].code}",
        WRITERS,
        method="patch",
        data={"reason": "Typed wrong", "notes": "Corrected"},
        overrides=UNSEEN,
        unchanged=event_state,
    ),
    Case(
        "POST /api/v1/events/{code}/retract",
        lambda o: f"/api/v1/events/{o['event'].code}/retract",
        WRITERS,
        method="post",
        data={"reason": "It did not happen"},
        overrides=UNSEEN,
        unchanged=event_state,
    ),
    Case(
        "POST /api/v1/arrests",
        lambda o: "/api/v1/arrests",
        WRITERS,
        method="post",
        data=None,  # set per test from DATA
        # The access matrix sends no Idempotency-Key: writers pass the gate and are
        # told to send one (400). Real arrests are tested in test_api.py.
        overrides={**UNSEEN, "coordinator": 400, "lawyer": 400, "admin": 400},
        unchanged=events_of,
    ),
    Case("GET /api/v1/episodes", lambda o: "/api/v1/episodes", LISTERS),
    Case(
        "GET /api/v1/episodes/{code}",
        lambda o: f"/api/v1/episodes/{o['episode'].code}",
        READERS,
        overrides=UNSEEN,
    ),
    Case("GET /api/v1/custody-board", lambda o: "/api/v1/custody-board", LISTERS),
    Case(
        "POST /api/v1/alarms/{code}/acknowledge",
        lambda o: f"/api/v1/alarms/{o['alarm'].code}/acknowledge",
        WRITERS,
        method="post",
        overrides=UNSEEN,
        unchanged=acknowledgements_of,
    ),
]


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    if case.name in DATA:
        case = Case(**{**case.__dict__, "data": DATA[case.name](objects)})
    run_case(client, cast, objects, case, api=True)
