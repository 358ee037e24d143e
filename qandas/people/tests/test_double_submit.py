"""A registration posted twice at the same moment, over two real database connections."""

import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from qandas.accounts.models import City, Membership, Organisation, Role, User
from qandas.audit.models import AuditEvent, Verb
from qandas.people import views
from qandas.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_posts_of_one_form_create_one_person(monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    organisation = Organisation.objects.create(slug="race", name="Race Network")
    karachi = City.objects.create(slug="karachi-race", name="Karachi")
    user = User.objects.create(username="race-coordinator")
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=Role.COORDINATOR
    )
    membership.cities.set([karachi])
    data = {
        "names-TOTAL_FORMS": "3",
        "names-INITIAL_FORMS": "0",
        "names-0-text": "Латифи Нурлан",
        "sex": "male",
        "birth_date_precision": "day",
        "current_city": str(karachi.pk),
        "idempotency_key": str(uuid.uuid4()),
    }

    # Both requests get past the "already created?" check before either inserts, so
    # the unique key in the database, not the check, has to stop the second one.
    barrier = threading.Barrier(2, timeout=20)
    seen = threading.local()
    real = views.already_created

    def gated(user: User, key: Any) -> Person | None:
        found = real(user, key)
        if not getattr(seen, "once", False):
            seen.once = True
            barrier.wait()
        return found

    monkeypatch.setattr(views, "already_created", gated)
    responses: list[Any] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            client = Client()
            client.force_login(user)
            responses.append(client.post("/people/new/", data))
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    person = Person.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {f"/people/{person.code}/"}
    assert AuditEvent.objects.filter(verb=Verb.CREATE, object_code=person.code).count() == 1
    assert [n.text for n in person.names.all()] == ["Латифи Нурлан"]
