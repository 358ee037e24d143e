"""The custody API: events, arrests, corrections, the board and its alarms."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.audit.models import AuditEvent, Verb
from qandas.incidents import actions
from qandas.incidents.models import Event, EventKind, Place
from qandas.people.models import Household, Person
from qandas.test import Cast

pytestmark = pytest.mark.django_db


class Tokens(dict[str, dict[str, str]]):
    """Authorization headers by cast member, a token issued on first use."""

    def __init__(self, cast: Cast) -> None:
        super().__init__()
        self.cast = cast

    def __missing__(self, name: str) -> dict[str, str]:
        self[name] = {"Authorization": f"Bearer {self.cast.token(name)}"}
        return self[name]


@pytest.fixture
def tokens(cast: Cast) -> Tokens:
    return Tokens(cast)


@pytest.fixture
def person(cast: Cast) -> Person:
    household = Household.objects.create(
        organisation=cast.organisation, city=cast.karachi, address="House 1"
    )
    person = Person.objects.create(
        organisation=cast.organisation, current_city=cast.karachi, household=household
    )
    person.set_names([{"text": "Aidos Tokhtarov"}])
    return person


def ago(hours: float) -> str:
    return (timezone.now() - timedelta(hours=hours)).isoformat()


def arrested(cast: Cast, person: Person, hours: float = 30) -> Event:
    """Arrested ``hours`` ago and not located; returns the arrest event."""
    outcome = actions.record_arrest(
        by=cast.coordinator,
        household=person.household,  # type: ignore[arg-type]
        people=[person],
        occurred_at=timezone.now() - timedelta(hours=hours),
        place=None,
        document_shown="ignored",
        idempotency_key=uuid.uuid4(),
    )
    return outcome.events[-1]


def post(client: Client, url: str, data: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data, content_type="application/json", headers=headers)


def test_an_event_is_recorded_and_read_back(
    client: Client, cast: Cast, tokens: Any, person: Person
) -> None:
    place = Place.objects.create(organisation=cast.organisation, kind="court", name="Court 1")
    body = {
        "kind": "contact",
        "people": [str(person.code)],
        "occurred_at": ago(2),
        "precision": "hour",
        "place": str(place.code),
        "channel": "call",
        "reported_location": "With a cousin",
        "reliability": "b",
    }
    created = post(client, "/api/v1/events", body, tokens["coordinator"])
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    assert AuditEvent.objects.filter(verb=Verb.CREATE, object_code=code).exists()

    read = client.get(f"/api/v1/events/{code}", headers=tokens["coordinator"]).json()
    assert read["kind"] == "contact"
    assert read["people"] == [str(person.code)]
    assert read["place"] == str(place.code)
    assert read["channel"] == "call"
    assert read["reported_location"] == "With a cousin"
    assert read["precision"] == "hour"
    assert read["retracted_at"] is None
    assert read["revisions"] == []

    listed = client.get(
        f"/api/v1/events?person={person.code}&kind=contact", headers=tokens["coordinator"]
    ).json()
    assert listed["count"] == 1
    assert listed["results"][0]["code"] == code


# The second post fails on the unique key inside a savepoint and is answered from the
# first: recovering from an IntegrityError is engine-dependent.
@pytest.mark.engines
def test_a_repeated_event_is_recorded_once(client: Client, tokens: Any, person: Person) -> None:
    body = {"kind": "contact", "channel": "visit", "people": [str(person.code)]}
    body["occurred_at"] = ago(1)
    headers = {**tokens["coordinator"], "Idempotency-Key": str(uuid.uuid4())}
    first = post(client, "/api/v1/events", body, headers)
    again = post(client, "/api/v1/events", body, headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert Event.objects.filter(people=person).count() == 1

    bad = post(client, "/api/v1/events", body, {**headers, "Idempotency-Key": "nope"})
    assert bad.status_code == 400
    assert "UUID" in bad.json()["detail"]


def test_a_repeated_arrest_is_recorded_once(client: Client, tokens: Any, person: Person) -> None:
    assert person.household is not None
    body = {
        "household": str(person.household.code),
        "people": [str(person.code)],
        "occurred_at": ago(1),
        "document_shown": "ignored",
    }
    missing = post(client, "/api/v1/arrests", body, tokens["coordinator"])
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json()["detail"]

    headers = {**tokens["coordinator"], "Idempotency-Key": str(uuid.uuid4())}
    first = post(client, "/api/v1/arrests", body, headers)
    assert first.status_code == 201, first.json()
    kinds = [e["kind"] for e in first.json()["events"]]
    assert kinds == ["raid", "arrest"]
    again = post(client, "/api/v1/arrests", body, headers)
    assert again.status_code == 200
    assert again.json()["events"] == first.json()["events"]
    assert Event.objects.filter(people=person, kind=EventKind.ARREST).count() == 1


def test_impossible_events_are_refused_with_a_reason(
    client: Client, cast: Cast, tokens: Any, person: Person
) -> None:
    assert person.household is not None
    future = (timezone.now() + timedelta(days=1)).isoformat()
    headers = {**tokens["coordinator"], "Idempotency-Key": str(uuid.uuid4())}
    body = {"household": str(person.household.code), "people": [str(person.code)]}
    response = post(client, "/api/v1/arrests", {**body, "occurred_at": future}, headers)
    assert response.status_code == 422
    assert "future" in response.json()["detail"]

    arrested(cast, person, hours=2)
    release = {"kind": "release", "people": [str(person.code)], "occurred_at": ago(5)}
    response = post(client, "/api/v1/events", release, tokens["coordinator"])
    assert response.status_code == 422
    assert "after this" in response.json()["detail"]

    # Odd but possible: saved, with a warning to look at.
    again = {"kind": "arrest", "people": [str(person.code)], "occurred_at": ago(1)}
    response = post(client, "/api/v1/events", again, tokens["coordinator"])
    assert response.status_code == 201
    assert "already recorded as in custody" in response.json()["warnings"][0]

    unknown = {**release, "people": [str(uuid.uuid4())]}
    assert post(client, "/api/v1/events", unknown, tokens["coordinator"]).status_code == 404
    naive = {**release, "occurred_at": "2026-01-01T10:00:00"}
    response = post(client, "/api/v1/events", naive, tokens["coordinator"])
    assert response.status_code == 422
    assert "timezone" in response.json()["detail"]


def test_the_board_lists_alarms_and_who_acknowledged_them(
    client: Client, cast: Cast, tokens: Any, person: Person
) -> None:
    arrest = arrested(cast, person)
    board = client.get("/api/v1/custody-board?city=karachi", headers=tokens["coordinator"])
    assert board.status_code == 200
    assert board.json()["count"] == 1
    entry = board.json()["results"][0]
    assert entry["person"] == str(person.code)
    assert entry["state"] == "detained_unlocated"
    assert entry["since"] is not None
    assert entry["place"] is None
    alarms = {a["kind"]: a for a in entry["alarms"]}
    assert alarms["unlocated"]["level"] == "alarm"
    assert alarms["unlocated"]["acknowledged_by"] == []

    url = f"/api/v1/alarms/{alarms['unlocated']['code']}/acknowledge"
    for _ in range(2):  # a second acknowledgement is harmless
        response = post(client, url, None, tokens["coordinator"])
        assert response.status_code == 200
        assert response.json()["acknowledged_by"] == ["coordinator"]
    board = client.get("/api/v1/custody-board", headers=tokens["coordinator"]).json()
    alarms = {a["kind"]: a for a in board["results"][0]["alarms"]}
    assert alarms["unlocated"]["acknowledged_by"] == ["coordinator"]

    episodes = client.get(
        f"/api/v1/episodes?person={person.code}&open=true", headers=tokens["coordinator"]
    ).json()
    assert episodes["count"] == 1
    episode = client.get(
        f"/api/v1/episodes/{episodes['results'][0]['code']}", headers=tokens["coordinator"]
    ).json()
    assert episode["person"] == str(person.code)
    assert episode["opened_by"] == "arrest"
    assert episode["closed_at"] is None
    assert {a["kind"] for a in episode["alarms"]} >= {"unlocated"}

    # Liaisons are refused by role; another organisation does not see it at all.
    detail = f"/api/v1/events/{arrest.code}"
    assert client.get(detail, headers=tokens["liaison"]).status_code == 403
    assert client.get(detail, headers=tokens["outsider"]).status_code == 404
    assert client.get("/api/v1/custody-board", headers=tokens["liaison"]).status_code == 403
    outsiders = client.get("/api/v1/custody-board", headers=tokens["outsider"]).json()
    assert outsiders["count"] == 0


# Recording locks the person's row and a retraction the event's (select_for_update).
@pytest.mark.engines
def test_a_correction_keeps_a_revision_and_a_retraction_frees_the_person(
    client: Client, cast: Cast, tokens: Any, person: Person
) -> None:
    arrest = arrested(cast, person)
    url = f"/api/v1/events/{arrest.code}"
    no_reason = client.patch(
        url, {"notes": "x"}, content_type="application/json", headers=tokens["coordinator"]
    )
    assert no_reason.status_code == 422
    corrected = client.patch(
        url,
        {"notes": "Taken by two officers", "reason": "Family called back"},
        content_type="application/json",
        headers=tokens["coordinator"],
    )
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["notes"] == "Taken by two officers"
    [revision] = corrected.json()["revisions"]
    assert revision["action"] == "corrected"
    assert revision["reason"] == "Family called back"
    assert revision["by"] == "coordinator"

    for _ in range(2):  # retracting twice is harmless
        retracted = post(
            client, f"{url}/retract", {"reason": "Wrong person"}, tokens["coordinator"]
        )
        assert retracted.status_code == 200
        assert retracted.json()["retracted_at"] is not None
    assert [r["action"] for r in retracted.json()["revisions"]] == ["corrected", "retracted"]
    board = client.get("/api/v1/custody-board", headers=tokens["coordinator"]).json()
    assert str(person.code) not in [e["person"] for e in board["results"]]
    again = client.patch(
        url,
        {"notes": "y", "reason": "z"},
        content_type="application/json",
        headers=tokens["coordinator"],
    )
    assert again.status_code == 422
    assert "retracted" in again.json()["detail"]


# The unique name is enforced by an IntegrityError caught in a savepoint, and the
# coordinates are decimals stored by the engine.
@pytest.mark.engines
def test_places_are_added_once_per_name(client: Client, tokens: Any) -> None:
    body = {
        "kind": "prison",
        "name": "Central Jail",
        "city": "karachi",
        "latitude": "24.86",
        "longitude": 67.01,
    }
    half = post(client, "/api/v1/places", {**body, "longitude": None}, tokens["coordinator"])
    assert half.status_code == 422
    created = post(client, "/api/v1/places", body, tokens["coordinator"])
    assert created.status_code == 201, created.json()
    assert created.json()["city"] == "karachi"
    assert created.json()["latitude"] == 24.86
    duplicate = post(client, "/api/v1/places", body, tokens["coordinator"])
    assert duplicate.status_code == 422
    assert "already has" in duplicate.json()["detail"]
    read = client.get(f"/api/v1/places/{created.json()['code']}", headers=tokens["coordinator"])
    assert read.json()["name"] == "Central Jail"
