"""The clock rules, with the clock frozen and moved by hand."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from qandas.incidents import actions
from qandas.incidents.clocks import evaluate
from qandas.incidents.models import Alarm, ClockSettings, Custody, DutyRota, Place
from qandas.incidents.tests.helpers import household_of, raid
from qandas.people.models import Person
from qandas.test import Cast

# Alarms are raised once through a unique key (IntegrityError in a savepoint), and the
# clocks compare stored datetimes at their thresholds: engine-dependent, so both.
pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def open_alarms(person: Person) -> dict[str, str]:
    return {a.kind: a.level for a in Alarm.objects.open().filter(person=person)}


def test_unlocated_warns_at_12_hours_alarms_at_24_and_clears_when_located(cast: Cast) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=0, names=("A",))
        person = taken.people[0]
        evaluate()
        assert open_alarms(person) == {}
        clock.shift(timedelta(hours=11, minutes=59))
        evaluate()
        assert open_alarms(person) == {}
        clock.shift(timedelta(minutes=1))
        evaluate()
        assert open_alarms(person) == {"unlocated": "warning"}
        clock.shift(timedelta(hours=12))
        counts = evaluate()
        assert counts["escalated"] == 1
        # Past 24 hours the magistrate rule has run out too (Art. 10(2)).
        assert open_alarms(person) == {"unlocated": "alarm", "magistrate": "alarm"}
        alarm = Alarm.objects.get(person=person, kind="unlocated")
        assert alarm.escalated_at is not None

        actions.record_event(
            by=cast.coordinator,
            people=[person],
            kind="located",
            occurred_at=timezone.now(),
            place=taken.station,
        )
        # Recording the event evaluates the clocks at once: no wait for run_clocks.
        assert open_alarms(person) == {"magistrate": "alarm"}
        alarm.refresh_from_db()
        assert alarm.cleared_at == timezone.now()
        actions.record_event(
            by=cast.coordinator, people=[person], kind="produced", occurred_at=timezone.now()
        )
        assert open_alarms(person) == {}
        # Cleared alarms stay on record; running again raises nothing new.
        assert evaluate() == {"raised": 0, "escalated": 0, "cleared": 0}
        assert Alarm.objects.filter(person=person).count() == 2


def test_thresholds_are_the_organisations_own(cast: Cast) -> None:
    ClockSettings.objects.create(
        organisation=cast.organisation, unlocated_warning_hours=2, unlocated_alarm_hours=4
    )
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=3, names=("B",))
    assert open_alarms(taken.people[0]) == {"unlocated": "warning"}


def test_a_transfer_to_nowhere_known_restarts_the_unlocated_clock(cast: Cast) -> None:
    now = timezone.now()
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=40, names=("C",))
    person = taken.people[0]
    actions.record_event(
        by=cast.coordinator,
        people=[person],
        kind="located",
        occurred_at=now - timedelta(hours=39),
        place=taken.station,
    )
    actions.record_event(
        by=cast.coordinator, people=[person], kind="produced", occurred_at=now - timedelta(hours=38)
    )
    assert open_alarms(person) == {}
    actions.record_event(
        by=cast.coordinator, people=[person], kind="transfer", occurred_at=now - timedelta(hours=13)
    )
    assert Custody.objects.get(person=person).state == "detained_unlocated"
    assert open_alarms(person) == {"unlocated": "warning"}
    # The same alarm row, opened again: one alarm per episode and rule.
    assert Alarm.objects.filter(person=person, kind="unlocated").count() == 1


def test_deported_without_contact_for_7_days_goes_out_of_contact_until_they_call(
    cast: Cast,
) -> None:
    torkham = Place.objects.create(
        organisation=cast.organisation, kind="border_crossing", name="Torkham"
    )
    with time_machine.travel(timezone.now(), tick=False) as clock:
        taken = raid(cast.organisation, cast.peshawar, cast.admin, hours_ago=48, names=("D",))
        person = taken.people[0]
        actions.record_event(
            by=cast.admin,
            people=[person],
            kind="deportation",
            occurred_at=timezone.now(),
            place=torkham,
        )
        assert Custody.objects.get(person=person).state == "deported"
        clock.shift(timedelta(days=6, hours=23))
        call_command("run_clocks", verbosity=0)
        assert Custody.objects.get(person=person).state == "deported"
        assert open_alarms(person) == {}
        clock.shift(timedelta(hours=1))
        call_command("run_clocks", verbosity=0)
        assert Custody.objects.get(person=person).state == "out_of_contact"
        assert open_alarms(person) == {"out_of_contact": "alarm"}
        actions.record_event(
            by=cast.admin,
            people=[person],
            kind="contact",
            channel="call",
            reported_location="Jalalabad",
            occurred_at=timezone.now(),
        )
        assert Custody.objects.get(person=person).state == "deported"
        assert open_alarms(person) == {}


def test_a_hearing_tomorrow_raises_a_reminder_that_clears_once_it_is_past(cast: Cast) -> None:
    court = Place.objects.create(organisation=cast.organisation, kind="court", name="City Court")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=2, names=("E",))
        person = taken.people[0]
        actions.record_event(
            by=cast.lawyer,
            people=[person],
            kind="court_hearing",
            occurred_at=timezone.now() + timedelta(hours=30),
            place=court,
        )
        assert "hearing" not in open_alarms(person)
        clock.shift(timedelta(hours=7))
        evaluate()
        assert open_alarms(person)["hearing"] == "warning"
        clock.shift(timedelta(hours=24))
        evaluate()
        assert "hearing" not in open_alarms(person)


def test_an_alarm_reaches_the_assigned_lawyer_the_lawyer_on_duty_and_the_coordinators(
    cast: Cast,
) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=30, names=("F",))
    episode = taken.people[0].custody_episodes.get()
    alarm = Alarm.objects.get(episode=episode, kind="unlocated")
    assert {u.username for u in alarm.recipients()} == {"coordinator"}
    DutyRota.objects.create(
        organisation=cast.organisation,
        city=cast.karachi,
        on=timezone.localdate(),
        lawyer=cast.lawyer,
        set_by=cast.coordinator,
    )
    actions.assign(episode, by=cast.coordinator, wanted={"coordinator": cast.quetta_coordinator})
    assert [u.username for u in alarm.recipients()] == [
        "quetta_coordinator",
        "lawyer",
        "coordinator",
    ]


def test_an_alarm_appears_once_however_often_the_clocks_run(cast: Cast) -> None:
    _household, people = household_of(cast.organisation, cast.karachi, ["G"])
    actions.record_event(
        by=cast.coordinator,
        people=people,
        kind="arrest",
        occurred_at=timezone.now() - timedelta(hours=25),
    )
    for _ in range(3):
        call_command("run_clocks", verbosity=0)
    assert Alarm.objects.filter(person=people[0]).count() == 2  # unlocated, magistrate
