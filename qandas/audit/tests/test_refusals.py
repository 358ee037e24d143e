"""Every refusal of the access gate is recorded (security R27: all authorization
failures), in pages and in the API; a missing object or an anonymous visitor is not a
refusal."""

import uuid

import pytest
from django.test import Client

from qandas.audit.models import AuditEvent, Outcome, Verb
from qandas.people.models import Person
from qandas.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def karachi_person(cast: Cast) -> Person:
    person = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    person.set_names([{"text": "Aigerim Bekova"}])
    return person


def refusals() -> list[tuple[str, str | None, list[str], str]]:
    return [
        (
            e.actor.username if e.actor else "",
            str(e.object_code) if e.object_code else None,
            e.fields,
            e.outcome,
        )
        for e in AuditEvent.objects.filter(verb=Verb.REFUSED).order_by("pk")
    ]


def test_a_page_refused_by_role_or_scope_is_recorded(
    client: Client, cast: Cast, karachi_person: Person
) -> None:
    client.force_login(cast.lawyer)
    assert client.get("/duplicates/").status_code == 403
    client.force_login(cast.quetta_coordinator)
    assert client.get(f"/people/{karachi_person.code}/").status_code == 404
    assert client.get(f"/people/{uuid.uuid4()}/").status_code == 404  # nobody: no refusal
    client.logout()
    client.get(f"/people/{karachi_person.code}/")  # the login wall: no refusal either
    lawyer, quetta = refusals()
    assert lawyer[0] == cast.lawyer.username and lawyer[1] is None and lawyer[3] == Outcome.DENIED
    assert lawyer[2] and lawyer[2][0].startswith("duplicates")  # the page's route, no value
    assert quetta[:2] == (cast.quetta_coordinator.username, str(karachi_person.code))
    event = AuditEvent.objects.filter(verb=Verb.REFUSED).order_by("pk").last()
    assert event is not None and event.organisation == cast.organisation


def test_an_api_call_refused_by_role_or_scope_is_recorded(
    client: Client, cast: Cast, karachi_person: Person
) -> None:
    analyst = {"Authorization": f"Bearer {cast.token('analyst')}"}
    quetta = {"Authorization": f"Bearer {cast.token('quetta_coordinator')}"}
    assert client.get("/api/v1/people", headers=analyst).status_code == 403
    assert client.get(f"/api/v1/people/{karachi_person.code}", headers=quetta).status_code == 404
    assert client.get(f"/api/v1/people/{uuid.uuid4()}", headers=quetta).status_code == 404
    assert client.get("/api/v1/people").status_code == 401
    found = refusals()
    assert [(actor, code) for actor, code, _f, _o in found] == [
        (cast.analyst.username, None),
        (cast.quetta_coordinator.username, str(karachi_person.code)),
    ]


def test_a_list_its_rows_and_a_merge_refused_by_scope_are_recorded(
    client: Client, cast: Cast, karachi_person: Person
) -> None:
    """A list of Karachi, one of its rows and a merge of Karachi records, asked for by
    the Quetta coordinator and another organisation: each refusal is recorded with the
    object it concerns; a code of nothing is not."""
    from qandas.matching import duplicates
    from qandas.matching.models import Merge
    from qandas.matching.tests.test_lists import register, upload_for

    upload = upload_for(cast, cast.coordinator, None)
    row = upload.rows.get(line=2)
    other = register(cast, "Aigerim Bekova")
    duplicates.merge(karachi_person, other, by=cast.coordinator)
    merge = Merge.objects.get()
    asked = [
        ("get", f"/lists/{upload.code}/", upload.code),
        ("get", f"/lists/{upload.code}/download/", upload.code),
        ("post", f"/lists/rows/{row.code}/reject/", row.code),
        ("get", f"/duplicates/merges/{merge.code}/undo/", merge.code),
    ]
    for name in ("quetta_coordinator", "outsider"):
        client.force_login(cast.users[name])
        for method, url, _code in asked:
            assert getattr(client, method)(url).status_code == 404, url
        assert client.get(f"/lists/{uuid.uuid4()}/").status_code == 404  # nothing: no refusal
    expected = [
        (n, str(code)) for n in ("quetta_coordinator", "outsider") for _m, _u, code in asked
    ]
    assert [(actor, code) for actor, code, _f, _o in refusals()] == [
        (cast.users[n].username, code) for n, code in expected
    ]
    row.refresh_from_db()
    assert row.state == "pending"
    # Each is the list's organisation's to see, a row's too (found by exploratory
    # testing, 11a: the outsider's probes of rows were recorded with no organisation).
    refused = AuditEvent.objects.filter(verb=Verb.REFUSED)
    assert set(refused.values_list("organisation", flat=True)) == {cast.organisation.pk}
