"""The demo's custody scenario: places, every kind of alarm right after ``demo``, loaded once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from qandas.accounts.models import Organisation, User
from qandas.incidents.board import board
from qandas.incidents.models import (
    Alarm,
    AlarmKind,
    AlarmLevel,
    Assignment,
    Custody,
    CustodyState,
    DutyRota,
    Episode,
    Event,
    Place,
    PlaceKind,
)
from qandas.people.models import Household, Name, Person

# The demo is loaded by bin/run on SQLite; its tests run in that pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.once]

# Names from the news report the scenario comes from: never in the demo.
ARTICLE_NAMES = [
    "Latifi",
    "Latif",
    "Hameed",
    "Shamshi",
    "Kystafin",
    "Jorabai",
    "Islamuddin",
    "Zhumamurat",
    "Yerzhan",
    "Saifullah",
    "Nurtleu",
    "Ullah",
    "Orda",
]


@dataclass
class Loaded:
    organisation: Organisation
    admin: User
    first: dict[str, int]
    second: dict[str, int]


def counts() -> dict[str, int]:
    return {
        "events": Event.objects.count(),
        "places": Place.objects.count(),
        "alarms": Alarm.objects.count(),
        "people": Person.objects.count(),
        "households": Household.objects.count(),
        "episodes": Episode.objects.count(),
        "assignments": Assignment.objects.count(),
        "rota": DutyRota.objects.count(),
    }


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    """``demo`` run twice, once per module, in a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        first = counts()
        call_command("demo", stdout=StringIO())
        yield Loaded(
            Organisation.objects.get(slug="steppe-bridge"),
            User.objects.get(username="admin"),
            first,
            counts(),
        )
        transaction.set_rollback(True)


def named(latin: str) -> Person:
    return Person.objects.get(names__text=latin)


def test_places_cover_three_cities_and_both_crossings(loaded: Loaded) -> None:
    places = Place.objects.filter(organisation=loaded.organisation)
    crossings = places.filter(kind=PlaceKind.BORDER_CROSSING).values_list("name", flat=True)
    assert any("Torkham" in name for name in crossings)
    assert any("Chaman" in name for name in crossings)
    for kind in (PlaceKind.POLICE_STATION, PlaceKind.COURT):
        cities = set(places.filter(kind=kind).values_list("city__slug", flat=True))
        assert cities == {"karachi", "quetta", "peshawar"}, kind


def test_every_kind_of_alarm_is_open_right_after_demo(loaded: Loaded) -> None:
    open_alarms = Alarm.objects.open().filter(organisation=loaded.organisation)
    found = set(open_alarms.values_list("kind", "level"))
    assert found == {
        (AlarmKind.UNLOCATED, AlarmLevel.ALARM),
        (AlarmKind.UNLOCATED, AlarmLevel.WARNING),
        (AlarmKind.MAGISTRATE, AlarmLevel.ALARM),
        (AlarmKind.OUT_OF_CONTACT, AlarmLevel.ALARM),
        (AlarmKind.HEARING, AlarmLevel.WARNING),
    }
    taken = {named(n).pk for n in ["Ruslan Saparbekov", "Azamat Saparbekov", "Dauren Mukashev"]}
    magistrate = set(open_alarms.filter(kind=AlarmKind.MAGISTRATE).values_list("person", flat=True))
    assert magistrate == taken
    unlocated = open_alarms.filter(kind=AlarmKind.UNLOCATED, level=AlarmLevel.ALARM)
    assert set(unlocated.values_list("person", flat=True)) == taken | {named("Galym Tursynov").pk}
    assert Custody.objects.get(person=named("Galym Tursynov")).state == CustodyState.MISSING


def test_exactly_the_two_deported_through_torkham_are_out_of_contact(loaded: Loaded) -> None:
    brothers = {named("Nurbol Amanbayev").pk, named("Zhandos Amanbayev").pk}
    alarmed = Alarm.objects.open().filter(kind=AlarmKind.OUT_OF_CONTACT)
    assert set(alarmed.values_list("person", flat=True)) == brothers
    out = Custody.objects.filter(state=CustodyState.OUT_OF_CONTACT)
    assert set(out.values_list("person", flat=True)) == brothers
    for pk in brothers:
        episode = Episode.objects.get(person_id=pk)
        assert episode.place is not None and "Torkham" in episode.place.name
    # Deported through Chaman, but he called: deported, not out of contact.
    assert Custody.objects.get(person=named("Bakhyt Zhunusov")).state == CustodyState.DEPORTED


def test_the_board_lists_them_most_urgent_first(loaded: Loaded) -> None:
    entries = board(loaded.admin)
    listed = [entry.person.primary_name for entry in entries]
    assert listed[0] == "Galym Tursynov"  # missing, with an alarm
    assert set(listed) == {
        "Galym Tursynov",
        "Ruslan Saparbekov",
        "Azamat Saparbekov",
        "Dauren Mukashev",
        "Nurbol Amanbayev",
        "Zhandos Amanbayev",
        "Talgat Seitkaliev",
        "Samat Iskakov",
    }
    assert [entry.urgency() for entry in entries] == sorted(entry.urgency() for entry in entries)
    assert [entry.level for entry in entries][-2:] == [AlarmLevel.WARNING, AlarmLevel.WARNING]
    # The released man and the deported man who called are not on the board.
    assert "Almas Kudaibergenov" not in listed and "Bakhyt Zhunusov" not in listed
    lawyer = User.objects.get(username="lawyer")
    raided = [e for e in entries if e.person.primary_name.endswith("Saparbekov")]
    for entry in raided:
        assert entry.episode is not None
        assert entry.episode.assignments.current().get().user == lawyer
        assert len(entry.searched) == 3


def test_lawyer_is_on_duty_in_every_city_for_a_week(loaded: Loaded) -> None:
    rota = DutyRota.objects.filter(organisation=loaded.organisation)
    assert rota.count() == 21
    assert set(rota.values_list("lawyer__username", flat=True)) == {"lawyer"}


def test_a_second_demo_adds_nothing(loaded: Loaded) -> None:
    assert loaded.second == loaded.first
    assert loaded.first["events"] > 20


def test_no_name_from_the_news_report_appears(loaded: Loaded) -> None:
    pattern = re.compile("|".join(ARTICLE_NAMES), re.IGNORECASE)
    texts = [
        *Name.objects.values_list("text", flat=True),
        *Person.objects.values_list("father_name", flat=True),
        *Place.objects.values_list("name", flat=True),
        *Household.objects.values_list("area", flat=True),
    ]
    for event in Event.objects.all():
        texts += [event.notes, event.asked_by, event.reported_location, event.source_detail]
    assert [text for text in texts if pattern.search(text)] == []
