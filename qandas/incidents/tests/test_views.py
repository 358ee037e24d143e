"""The custody pages, through the test client: what a coordinator sees and is told."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qandas.incidents.models import Custody, DutyRota, Event, EventRevision, Place
from qandas.incidents.tests.helpers import household_of, place, raid
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def local(delta: timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def arrest_form(household: Any, people: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "household": str(household.code),
        "idempotency_key": str(uuid.uuid4()),
        "people": [str(p.code) for p in people],
        "occurred_at": local(-timedelta(minutes=10)),
        "document_shown": "ignored",
        "source": "family",
        **extra,
    }


# Recording locks the person's row and a retraction the event's (select_for_update).
@pytest.mark.engines
def test_the_arrest_screen_lists_the_household_and_records_raid_and_arrests(
    client: Client, cast: Cast
) -> None:
    household, people = household_of(cast.organisation, cast.karachi, ["Bolat", "Serik"])
    client.force_login(cast.coordinator)
    page = client.get(f"/custody/arrest/?household={household.code}")
    assert page.status_code == 200
    assert "Bolat" in page.content.decode() and "Serik" in page.content.decode()
    data = arrest_form(household, people)
    response = client.post("/custody/arrest/", data, follow=True)
    assert "Arrest recorded for 2 people" in response.content.decode()
    assert {c.state for c in Custody.objects.filter(person__in=people)} == {"detained_unlocated"}
    # The same form again (a flaky connection): nothing new.
    again = client.post("/custody/arrest/", data, follow=True)
    assert "already recorded" in again.content.decode()
    assert Event.objects.filter(household=household).count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"occurred_at": local(timedelta(hours=3))}, "cannot have happened in the future"),
        ({"people": []}, "This field is required"),
        ({"occurred_at": "yesterday"}, "Enter a valid date/time"),
    ],
)
def test_a_bad_arrest_says_why_and_saves_nothing(
    client: Client, cast: Cast, change: dict[str, Any], message: str
) -> None:
    household, people = household_of(cast.organisation, cast.karachi, ["Bolat"])
    client.force_login(cast.coordinator)
    response = client.post("/custody/arrest/", {**arrest_form(household, people), **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Event.objects.exists()


def test_someone_outside_the_household_or_organisation_cannot_be_ticked(
    client: Client, cast: Cast
) -> None:
    household, _people = household_of(cast.organisation, cast.karachi, ["Bolat"])
    _theirs, outsiders = household_of(cast.other_organisation, cast.karachi, ["Other"])
    client.force_login(cast.coordinator)
    response = client.post("/custody/arrest/", arrest_form(household, outsiders))
    assert "Select a valid choice" in response.content.decode()
    assert not Event.objects.exists()


def test_a_release_before_the_arrest_is_refused_on_the_event_form(
    client: Client, cast: Cast
) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("A",))
    person = taken.people[0]
    client.force_login(cast.lawyer)
    response = client.post(
        f"/people/{person.code}/events/new/",
        {
            "kind": "release",
            "people": [str(person.code)],
            "occurred_at": local(-timedelta(hours=8)),
            "precision": "minute",
            "document_shown": "unknown",
            "source": "lawyer",
            "reliability": "a",
        },
    )
    assert response.status_code == 200
    assert "after this" in response.content.decode()
    assert not Event.objects.filter(kind="release").exists()


def test_a_deportation_of_someone_not_in_custody_is_saved_with_a_warning(
    client: Client, cast: Cast
) -> None:
    _household, (person,) = household_of(cast.organisation, cast.karachi, ["Kanat"])
    torkham = place(cast.organisation, "Torkham", kind="border_crossing")
    client.force_login(cast.coordinator)
    response = client.post(
        f"/people/{person.code}/events/new/",
        {
            "kind": "deportation",
            "people": [str(person.code)],
            "occurred_at": local(-timedelta(hours=2)),
            "precision": "hour",
            "place": str(torkham.code),
            "document_shown": "unknown",
            "source": "family",
            "reliability": "c",
        },
        follow=True,
    )
    assert "saved anyway" in response.content.decode()
    assert Custody.objects.get(person=person).state == "deported"


def test_the_timeline_and_state_are_for_custody_roles_only(client: Client, cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("Asqar",))
    person = taken.people[0]
    client.force_login(cast.coordinator)
    page = client.get(f"/people/{person.code}/").content.decode()
    assert 'id="timeline"' in page and "Detained, not located" in page
    household = client.get(f"/households/{taken.household.code}/").content.decode()
    assert "Detained, not located" in household and "Log an arrest" in household
    client.force_login(cast.liaison)
    page = client.get(f"/people/{person.code}/").content.decode()
    assert 'id="timeline"' not in page and "Detained" not in page
    household = client.get(f"/households/{taken.household.code}/").content.decode()
    assert "Detained" not in household and "Log an arrest" not in household


# Recording locks the person's row and a retraction the event's (select_for_update).
@pytest.mark.engines
def test_correct_then_retract_from_the_event_pages(client: Client, cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("B",))
    person = taken.people[0]
    client.force_login(cast.coordinator)
    response = client.post(
        f"/events/{taken.arrest.code}/edit/",
        {
            "kind": "arrest",
            "people": [str(person.code)],
            "occurred_at": local(-timedelta(hours=7)),
            "precision": "hour",
            "document_shown": "ignored",
            "source": "witness",
            "reliability": "b",
            "reason": "The neighbour remembered the hour",
        },
    )
    assert response.status_code == 302
    revision = EventRevision.objects.get(event=taken.arrest)
    assert revision.reason == "The neighbour remembered the hour"
    detail = client.get(f"/events/{taken.arrest.code}/").content.decode()
    assert "The neighbour remembered the hour" in detail
    client.post(f"/events/{taken.arrest.code}/retract/", {"reason": "Wrong family"})
    assert Custody.objects.get(person=person).state == "free"
    timeline = client.get(f"/people/{person.code}/").content.decode()
    assert "<s>Arrest</s>" in timeline


def test_the_board_filters_by_city_and_its_queries_do_not_grow_with_it(
    client: Client, cast: Cast
) -> None:
    raid(
        cast.organisation,
        cast.karachi,
        cast.admin,
        hours_ago=30,
        names=("Kanat Karachiev", "Kanysh Karachiev"),
    )
    raid(cast.organisation, cast.quetta, cast.admin, hours_ago=13, names=("Qaisar Quettov",))
    client.force_login(cast.admin)
    with CaptureQueriesContext(connection) as few:
        everyone = client.get("/custody/").content.decode()
    # Names no random token (CSRF, codes) can contain: a two-letter name once
    # matched inside the CSRF token and put a warning before an alarm.
    assert all(
        name in everyone for name in ("Kanat Karachiev", "Kanysh Karachiev", "Qaisar Quettov")
    )
    assert everyone.index("Kanat Karachiev") < everyone.index("Qaisar Quettov")  # alarms first
    quetta = client.get("/custody/?city=quetta").content.decode()
    assert "Qaisar Quettov" in quetta and "Karachiev" not in quetta
    raid(
        cast.organisation,
        cast.karachi,
        cast.admin,
        hours_ago=30,
        names=("Karim Karachiev", "Kuat Karachiev", "Kemel Karachiev"),
    )
    with CaptureQueriesContext(connection) as more:
        client.get("/custody/")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_acknowledging_shows_who_acknowledged(client: Client, cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=30, names=("C",))
    alarm = taken.people[0].custody_episodes.get().alarms.get(kind="unlocated")
    client.force_login(cast.lawyer)
    client.post(f"/alarms/{alarm.code}/acknowledge/", {"next": "https://evil.example/"})
    client.post(f"/alarms/{alarm.code}/acknowledge/")
    assert alarm.acknowledgements.count() == 1
    assert "Acknowledged by lawyer" in client.get("/custody/").content.decode()


def test_rota_clocks_and_places_refuse_what_makes_no_sense(client: Client, cast: Cast) -> None:
    client.force_login(cast.admin)
    response = client.post(
        "/custody/rota/",
        {"city": cast.karachi.pk, "on": "2001-01-01", "lawyer": cast.lawyer.pk},
    )
    assert "today or later" in response.content.decode()
    client.post(
        "/custody/rota/",
        {"city": cast.karachi.pk, "on": timezone.localdate().isoformat(), "lawyer": cast.lawyer.pk},
    )
    assert DutyRota.objects.get().lawyer == cast.lawyer
    response = client.post(
        "/custody/clocks/",
        {
            "unlocated_warning_hours": 30,
            "unlocated_alarm_hours": 24,
            "magistrate_hours": 24,
            "out_of_contact_days": 7,
            "hearing_notice_hours": 24,
        },
    )
    assert "before the alarm" in response.content.decode()
    response = client.post(
        "/places/new/", {"kind": "police_station", "name": "East", "latitude": "24.9"}
    )
    assert "or neither" in response.content.decode()
    response = client.post(
        "/places/new/",
        {"kind": "police_station", "name": "East", "latitude": "124.9", "longitude": "67"},
    )
    assert "less than or equal to 90" in response.content.decode()
    assert not Place.objects.filter(name="East").exists()
