"""Who may export a batch: liaisons and admins of its organisation, no one else."""

from typing import Any

import pytest
from django.test import Client

from qandas.applications.models import (
    Application,
    ApplicationKind,
    Authority,
    AuthorityKind,
    Batch,
    Status,
)
from qandas.audit.models import AuditEvent, Verb
from qandas.people.models import Person
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

EXPORTERS = {"liaison", "admin"}
# A coordinator of the other organisation is refused by role before any lookup.
BY_ROLE = {"outsider": 403}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    embassy = Authority.objects.create(
        organisation=cast.organisation, kind=AuthorityKind.EMBASSY, name="Test Embassy"
    )
    batch = Batch.objects.create(organisation=cast.organisation, name="Requests of 1 person")
    person = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    person.set_names([{"text": "Bolat Testov"}])
    Application.objects.create(
        organisation=cast.organisation,
        kind=ApplicationKind.VERIFICATION,
        person=person,
        authority=embassy,
        batch=batch,
        status=Status.SENT_FOR_CONSIDERATION,
    )
    return {"batch": batch}


def exports_made(o: dict[str, Any]) -> Any:
    return AuditEvent.objects.filter(verb=Verb.EXPORT).count()


HTML_CASES = [
    Case(
        "exports:batch_xlsx",
        lambda o: f"/batches/{o['batch'].code}/export.xlsx",
        EXPORTERS,
        overrides=BY_ROLE,
        unchanged=exports_made,
    ),
    Case(
        "exports:batch_pdf",
        lambda o: f"/batches/{o['batch'].code}/export.pdf",
        EXPORTERS,
        overrides=BY_ROLE,
        unchanged=exports_made,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    run_case(client, cast, objects, case, api=False)
