"""The audit trail is append-only, names fields not values, and admins can search it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from qandas.accounts.models import Membership
from qandas.audit.models import AppendOnlyError, AuditEvent, Outcome, Verb
from qandas.audit.record import record
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted_through_the_model(cast: Cast) -> None:
    event = record(Verb.VIEW, actor=cast.coordinator, organisation=cast.organisation)
    event.verb = Verb.LOGIN
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb=Verb.LOGIN)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


# Raw SQL against the trigger each engine gets from its own migration code.
@pytest.mark.engines
def test_the_database_refuses_an_update_even_in_raw_sql(cast: Cast) -> None:
    event = record(Verb.VIEW, actor=cast.coordinator, organisation=cast.organisation)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET verb = 'login' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == Verb.VIEW


def test_membership_change_records_field_names_not_values(cast: Cast, client: Client) -> None:
    membership = cast.membership("quetta_coordinator")
    client.force_login(cast.admin)
    response = client.post(
        f"/members/{membership.code}/edit/",
        {"role": "lawyer", "cities": [cast.peshawar.pk], "is_active": "on"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb=Verb.UPDATE, object_code=membership.code)
    assert event.fields == ["cities", "role"]
    assert event.actor == cast.admin
    assert event.organisation == cast.organisation
    assert "lawyer" not in str(event.fields)
    assert Membership.objects.get(pk=membership.pk).role == "lawyer"


def test_bad_membership_input_is_explained_and_saves_nothing(cast: Cast, client: Client) -> None:
    membership = cast.membership("quetta_coordinator")
    client.force_login(cast.admin)
    response = client.post(f"/members/{membership.code}/edit/", {"role": "overlord"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == "coordinator"
    assert not AuditEvent.objects.filter(verb=Verb.UPDATE, object_code=membership.code).exists()


def test_admin_page_lists_and_filters_their_organisation_only(cast: Cast, client: Client) -> None:
    mine = record(Verb.EXPORT, actor=cast.liaison, organisation=cast.organisation)
    failed = record(
        Verb.LOGIN_FAILED,
        actor=None,
        organisation=cast.organisation,
        outcome=Outcome.FAILURE,
    )
    theirs = record(Verb.EXPORT, actor=cast.outsider, organisation=cast.other_organisation)
    client.force_login(cast.admin)
    page = client.get("/audit/").content.decode()
    assert str(mine.code) in page and str(failed.code) in page
    assert str(theirs.code) not in page
    filtered = client.get("/audit/", {"verb": "export", "actor": "liaison"}).content.decode()
    assert str(mine.code) in filtered and str(failed.code) not in filtered
    by_outcome = client.get("/audit/", {"outcome": "failure"}).content.decode()
    assert str(failed.code) in by_outcome and str(mine.code) not in by_outcome


def test_audit_list_has_a_fixed_number_of_queries(
    cast: Cast, client: Client, django_assert_max_num_queries: object
) -> None:
    for _ in range(30):
        record(Verb.VIEW, actor=cast.lawyer, organisation=cast.organisation)
    client.force_login(cast.admin)
    client.get("/audit/")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get("/audit/")


def test_api_lists_events_with_count_and_results(cast: Cast, client: Client) -> None:
    record(Verb.EXPORT, actor=cast.liaison, organisation=cast.organisation)
    record(Verb.VIEW, actor=cast.liaison, organisation=cast.organisation)
    headers = {"Authorization": f"Bearer {cast.token('admin')}"}
    body = client.get("/api/v1/audit-events?verb=export&limit=1", headers=headers).json()
    assert body["count"] >= 1
    assert len(body["results"]) == 1
    assert body["results"][0]["verb"] == "export"
    assert body["results"][0]["actor"] == "liaison"
    bad = client.get("/api/v1/audit-events?limit=0", headers=headers)
    assert bad.status_code == 422
    assert "limit" in bad.json()["detail"]


def test_api_member_update_is_audited_and_validates_cities(cast: Cast, client: Client) -> None:
    membership = cast.membership("lawyer")
    headers = {"Authorization": f"Bearer {cast.token('admin')}"}
    bad = client.patch(
        f"/api/v1/members/{membership.code}",
        {"cities": ["atlantis"]},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400
    assert "atlantis" in bad.json()["detail"]
    ok = client.patch(
        f"/api/v1/members/{membership.code}",
        {"cities": ["quetta"], "is_active": False},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200
    assert ok.json()["cities"] == ["quetta"] and ok.json()["is_active"] is False
    event = AuditEvent.objects.get(verb=Verb.UPDATE, object_code=membership.code)
    assert event.fields == ["cities", "is_active"] and event.via == "api"


def test_sign_in_events_show_to_the_admins_of_the_users_organisation(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.lawyer)  # sends user_logged_in, which is audited
    event = AuditEvent.objects.filter(verb=Verb.LOGIN, actor=cast.lawyer).latest("at")
    assert event.organisation is None
    assert AuditEvent.objects.visible_to(cast.admin).filter(pk=event.pk).exists()
    assert not AuditEvent.objects.visible_to(cast.outsider_admin).filter(pk=event.pk).exists()
    assert not AuditEvent.objects.visible_to(cast.coordinator).filter(pk=event.pk).exists()
