"""Two movers of one application at once, over two real connections on PostgreSQL."""

import threading
from typing import Any

import pytest
from django.db import connection

from qandas.accounts.models import City, Membership, Organisation, Role, User
from qandas.applications.models import Application, Authority, StatusChange, TransitionError
from qandas.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_movers_at_once_make_one_move_and_one_conflict() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    organisation = Organisation.objects.create(slug="race-apps", name="Race Network")
    karachi = City.objects.create(slug="karachi-race-apps", name="Karachi")
    users = []
    for name in ("race-liaison-1", "race-liaison-2"):
        user = User.objects.create(username=name)
        Membership.objects.create(user=user, organisation=organisation, role=Role.LIAISON)
        users.append(user)
    person = Person.objects.create(organisation=organisation, current_city=karachi)
    authority = Authority.objects.create(organisation=organisation, kind="embassy", name="E")
    application = Application.objects.create(
        organisation=organisation, kind="visa", person=person, authority=authority
    )

    barrier = threading.Barrier(2, timeout=20)
    results: list[Any] = []
    errors: list[BaseException] = []

    def move(user: User) -> None:
        try:
            # Both load the draft (the page each saw) before either writes.
            mine = Application.objects.get(pk=application.pk)
            barrier.wait()
            try:
                results.append(mine.move_to("submitted", by=user, expected="draft"))
            except TransitionError as exc:
                results.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    conflicts = [r for r in results if isinstance(r, TransitionError)]
    assert len(results) == 2
    assert len(conflicts) == 1 and conflicts[0].conflict is True
    assert StatusChange.objects.filter(application=application).count() == 1
    application.refresh_from_db()
    assert application.status == "submitted"
