"""Race guarantees, over two real database connections on PostgreSQL."""

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from qandas.accounts.models import City, Membership, Organisation, Role, User
from qandas.incidents import actions, clocks
from qandas.incidents.models import Alarm, Event
from qandas.people.models import Household, Person

pytestmark = pytest.mark.django_db(transaction=True)


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")


def at_once(work: Callable[[], Any]) -> list[Any]:
    """Run ``work`` in two threads, each with its own database connection."""
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def karachi_household() -> tuple[User, Household, list[Person]]:
    organisation = Organisation.objects.create(slug="race", name="Race Network")
    karachi = City.objects.create(slug="karachi-race", name="Karachi")
    user = User.objects.create(username="race-coordinator")
    Membership.objects.create(
        user=user, organisation=organisation, role=Role.COORDINATOR
    ).cities.set([karachi])
    household = Household.objects.create(organisation=organisation, city=karachi)
    people = []
    for name in ("Bolat", "Serik", "Marat"):
        person = Person.objects.create(
            organisation=organisation, current_city=karachi, household=household
        )
        person.set_names([{"text": name}])
        people.append(person)
    return user, household, people


def test_two_clock_runs_at_once_raise_each_alarm_once(monkeypatch: Any) -> None:
    needs_postgresql()
    user, _household, people = karachi_household()
    # The arrest is recorded as of 30 hours ago, with the clocks of that moment: no
    # alarm yet. Both runs then find the same alarms due.
    then = timezone.now() - timedelta(hours=30)
    actions.record_event(by=user, people=people, kind="arrest", occurred_at=then, now=then)
    assert not Alarm.objects.exists()

    # Both runs work out what is due before either writes, so the unique key in the
    # database, not a check in Python, has to stop the second.
    barrier = threading.Barrier(2, timeout=20)
    real = clocks.due_alarms

    def gated(**kwargs: Any) -> Any:
        due = real(**kwargs)
        barrier.wait()
        return due

    monkeypatch.setattr(clocks, "due_alarms", gated)
    results = at_once(clocks.evaluate)
    assert Alarm.objects.count() == 6  # unlocated and magistrate, for each of three
    assert sum(r["raised"] for r in results) == 6


def test_the_same_arrest_posted_twice_at_once_records_one_arrest(monkeypatch: Any) -> None:
    needs_postgresql()
    user, household, people = karachi_household()
    data = {
        "household": str(household.code),
        "idempotency_key": str(uuid.uuid4()),
        "people": [str(p.code) for p in people],
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "document_shown": "ignored",
        "source": "family",
    }
    barrier = threading.Barrier(2, timeout=20)
    seen = threading.local()
    real = actions.record_event

    def gated(**kwargs: Any) -> Any:
        # Both requests pass the "already recorded?" check before either inserts.
        if not getattr(seen, "once", False):
            seen.once = True
            barrier.wait()
        return real(**kwargs)

    monkeypatch.setattr(actions, "record_event", gated)

    def post() -> Any:
        client = Client()
        client.force_login(user)
        return client.post("/custody/arrest/", data)

    responses = at_once(post)
    assert [r.status_code for r in responses] == [302, 302]
    assert Event.objects.filter(kind="arrest").count() == 1
    assert Event.objects.filter(kind="raid").count() == 1
    assert {e.state for e in (p.custody for p in Person.objects.all())} == {"detained_unlocated"}
