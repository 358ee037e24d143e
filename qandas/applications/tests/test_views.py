"""The applications pages: creating, moving (and losing a race), filters, batches, and
the section on the person page."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qandas.applications.models import Application, Official
from qandas.applications.tests.helpers import household_of, setting
from qandas.audit.models import AuditEvent
from qandas.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def o(cast: Cast) -> dict[str, Any]:
    return setting(cast.organisation, cast.karachi)


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_a_liaison_records_an_application_for_a_person(client: Client, cast: Cast, o: dict) -> None:
    signed_in(client, cast.liaison)
    response = client.post(
        f"/people/{o['person'].code}/applications/new/",
        {
            "kind": "verification",
            "authority": str(o["authority"].code),
            "reference": "KZ-7",
            "submitted_on": "2026-01-10",
            "expected_decision_on": "2026-03-10",
            "batch": str(o["batch"].code),
            "notes": "Copies of the birth certificate",
        },
    )
    application = Application.objects.get(reference="KZ-7")
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.code}/"
    assert (application.person, application.household) == (o["person"], None)
    assert (application.status, application.batch, application.created_by) == (
        "draft",
        o["batch"],
        cast.liaison,
    )
    audit = AuditEvent.objects.get(object_code=application.code, verb="create")
    assert "notes" in audit.fields and "Copies" not in str(audit.fields)


def test_an_application_for_a_whole_household(client: Client, cast: Cast, o: dict) -> None:
    signed_in(client, cast.admin)
    response = client.post(
        f"/households/{o['household'].code}/applications/new/",
        {"kind": "exit_permit", "authority": str(o["authority"].code), "reference": "H-1"},
    )
    assert response.status_code == 302
    application = Application.objects.get(reference="H-1")
    assert (application.person, application.household) == (None, o["household"])


def test_a_stale_page_shows_the_conflict_and_changes_nothing(
    client: Client, cast: Cast, o: dict
) -> None:
    application = o["application"]
    signed_in(client, cast.liaison)
    page = client.get(f"/applications/{application.code}/")
    assert 'name="expected" value="draft"' in page.content.decode()
    # Someone else moves it while the page is open.
    Application.objects.get(pk=application.pk).move_to("submitted", by=cast.admin)
    response = client.post(
        f"/applications/{application.code}/move/",
        {"status": "submitted", "expected": "draft", "note": "Handed in"},
    )
    assert response.status_code == 409
    assert "Someone else moved this application to “Submitted” first" in response.content.decode()
    assert 'name="expected" value="submitted"' in response.content.decode()
    assert list(application.history.values_list("by", flat=True)) == [cast.admin.pk]


def test_a_move_and_a_refused_move(client: Client, cast: Cast, o: dict) -> None:
    application = o["application"]
    signed_in(client, cast.liaison)
    url = f"/applications/{application.code}/move/"
    refused = client.post(url, {"status": "approved", "expected": "draft"})
    assert refused.status_code == 200
    assert "cannot become" in refused.content.decode()
    assert not application.history.exists()
    moved = client.post(url, {"status": "submitted", "expected": "draft", "note": "By hand"})
    assert moved.status_code == 302
    page = client.get(f"/applications/{application.code}/").content.decode()
    assert "Draft → Submitted" in page and "By hand" in page


def test_the_person_page_shows_applications_to_readers_only(
    client: Client, cast: Cast, o: dict
) -> None:
    url = f"/people/{o['person'].code}/"
    mine = f"/applications/{o['application'].code}/"
    household = f"/applications/{o['household_application'].code}/"
    lawyer = signed_in(client, cast.lawyer).get(url)
    assert lawyer.status_code == 200
    assert (
        mine not in lawyer.content.decode() and 'id="applications"' not in lawyer.content.decode()
    )
    coordinator = signed_in(client, cast.coordinator).get(url).content.decode()
    assert mine in coordinator and household in coordinator
    assert "/applications/new/" not in coordinator
    liaison = signed_in(client, cast.liaison).get(url).content.decode()
    assert f"/people/{o['person'].code}/applications/new/" in liaison
    household_page = signed_in(client, cast.liaison).get(f"/households/{o['household'].code}/")
    assert mine in household_page.content.decode()
    assert f"/households/{o['household'].code}/applications/new/" in household_page.content.decode()


def test_the_list_filters(client: Client, cast: Cast, o: dict) -> None:
    late = o["application"]
    late.move_to("submitted", by=cast.admin)
    Application.objects.filter(pk=late.pk).update(
        expected_decision_on=timezone.localdate() - timedelta(days=3)
    )
    signed_in(client, cast.coordinator)
    every = client.get("/applications/").content.decode()
    assert str(late.code) in every and str(o["household_application"].code) in every
    assert "Overdue" in every
    for query, shown in [
        ("?overdue=on", late),
        ("?status=submitted", late),
        ("?kind=qandas_status", o["household_application"]),
        (f"?batch={o['batch'].code}", o["household_application"]),
        (f"?authority={o['authority'].code}&status=draft", o["household_application"]),
    ]:
        page = client.get("/applications/" + query).content.decode()
        hidden = o["household_application"] if shown is late else late
        assert str(shown.code) in page and str(hidden.code) not in page, query
    # With htmx, the filter answers the rows alone.
    rows = client.get("/applications/?overdue=on", headers={"HX-Request": "true"})
    assert rows.content.decode().startswith('<div id="rows">')
    assert str(late.code) in rows.content.decode()


def test_the_list_takes_the_same_queries_for_two_rows_or_five(
    client: Client, cast: Cast, o: dict
) -> None:
    signed_in(client, cast.liaison)
    client.get("/applications/")  # the session and caches warm up

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/applications/").status_code == 200
        return len(captured)

    two = queries()
    for i in range(3):
        _household, (person,) = household_of(o["authority"].organisation, cast.karachi, (f"P{i}",))
        Application.objects.create(
            organisation=person.organisation,
            kind="visa",
            person=person,
            authority=o["authority"],
            batch=o["batch"],
        )
    assert Application.objects.count() == 5
    assert queries() == two


# A batch move locks its applications (select_for_update): engine-dependent.
@pytest.mark.engines
def test_moving_a_batch_reports_moved_and_skipped(client: Client, cast: Cast, o: dict) -> None:
    batch = o["batch"]
    approved = Application.objects.create(
        organisation=batch.organisation,
        kind="visa",
        person=o["person"],
        authority=o["authority"],
        batch=batch,
        status="approved",
    )
    signed_in(client, cast.liaison)
    response = client.post(f"/batches/{batch.code}/move/", {"status": "submitted", "note": "x"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 application moved to “Submitted”" in page
    assert f"/applications/{approved.code}/" in page
    o["household_application"].refresh_from_db()
    assert o["household_application"].status == "submitted"
    added = client.post(
        f"/batches/{batch.code}/add/", {"applications": [str(o["application"].code)]}
    )
    assert added.status_code == 302
    o["application"].refresh_from_db()
    assert o["application"].batch == batch


def test_a_new_official_replaces_the_old_one(client: Client, cast: Cast, o: dict) -> None:
    old = o["official"]
    Official.objects.filter(pk=old.pk).update(from_on="2020-01-01")
    signed_in(client, cast.admin)
    response = client.post(
        f"/authorities/{o['authority'].code}/officials/new/",
        {
            "name": "C. Ambassador",
            "post": "Ambassador",
            "from_on": "2026-02-01",
            "replaces": str(old.code),
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert str(old.until_on) == "2026-02-01"
    page = client.get(f"/authorities/{o['authority'].code}/").content.decode()
    assert "C. Ambassador" in page and "A. Ambassador" in page and "2020-01-01 – 2026-02-01" in page
