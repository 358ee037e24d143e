"""Who may open each applications page (DESIGN section 1): coordinators read their
cities' applications; liaisons and admins read and write; lawyers and analysts never."""

from typing import Any

import pytest
from django.test import Client

from qandas.applications.tests.helpers import (
    applications,
    authorities,
    batches,
    officials,
    setting,
)
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

# Organisation-wide records (authorities, batches): every reader of the organisation.
ORG_READERS = {"coordinator", "quetta_coordinator", "liaison", "admin"}
# Pages about no one record show each reader their own organisation's.
LISTERS = ORG_READERS | {"outsider", "outsider_admin"}
# The application is for a Karachi person: the Quetta coordinator does not see it.
APP_READERS = {"coordinator", "liaison", "admin"}
WRITERS = {"liaison", "admin"}
# Creating an authority or a batch: any writer, in their own organisation.
CREATORS = WRITERS | {"outsider_admin"}
# The other organisation's coordinator is refused by role before any lookup.
BY_ROLE = {"outsider": 403}
UNSEEN = {"quetta_coordinator": 404}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    return setting(cast.organisation, cast.karachi)


def application_data(o: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "exit_permit", "authority": str(o["authority"].code), "reference": "R-1"}


HTML_CASES = [
    Case("applications:authorities", lambda o: "/authorities/", LISTERS),
    Case(
        "applications:authority_create", lambda o: "/authorities/new/", CREATORS, overrides=BY_ROLE
    ),
    Case(
        "applications:authority_create",
        lambda o: "/authorities/new/",
        CREATORS,
        method="post",
        data={"kind": "ministry", "name": "Ministry of Foreign Affairs"},
        overrides=BY_ROLE,
        unchanged=authorities,
    ),
    Case("applications:authority", lambda o: f"/authorities/{o['authority'].code}/", ORG_READERS),
    Case(
        "applications:official_create",
        lambda o: f"/authorities/{o['authority'].code}/officials/new/",
        WRITERS,
        overrides=BY_ROLE,
    ),
    Case(
        "applications:official_create",
        lambda o: f"/authorities/{o['authority'].code}/officials/new/",
        WRITERS,
        method="post",
        data={"name": "B. Consul", "post": "Consul"},
        overrides=BY_ROLE,
        unchanged=officials,
    ),
    Case("applications:list", lambda o: "/applications/", LISTERS),
    Case(
        "applications:create_for_person",
        lambda o: f"/people/{o['person'].code}/applications/new/",
        WRITERS,
        overrides=BY_ROLE,
    ),
    Case(
        "applications:create_for_person",
        lambda o: f"/people/{o['person'].code}/applications/new/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=applications,
    ),
    Case(
        "applications:create_for_household",
        lambda o: f"/households/{o['household'].code}/applications/new/",
        WRITERS,
        overrides=BY_ROLE,
    ),
    Case(
        "applications:create_for_household",
        lambda o: f"/households/{o['household'].code}/applications/new/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=applications,
    ),
    Case(
        "applications:detail",
        lambda o: f"/applications/{o['application'].code}/",
        APP_READERS,
        overrides=UNSEEN,
    ),
    Case(
        "applications:edit",
        lambda o: f"/applications/{o['application'].code}/edit/",
        WRITERS,
        overrides=BY_ROLE,
    ),
    Case(
        "applications:edit",
        lambda o: f"/applications/{o['application'].code}/edit/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=applications,
    ),
    Case(
        "applications:move",
        lambda o: f"/applications/{o['application'].code}/move/",
        # The first writer moves it (302); the second's draft → submitted is no longer
        # allowed, and the page says so (200).
        WRITERS,
        method="post",
        data={"status": "submitted", "note": "Handed in"},
        overrides=BY_ROLE,
        unchanged=applications,
    ),
    Case("applications:batches", lambda o: "/batches/", LISTERS),
    Case("applications:batch_create", lambda o: "/batches/new/", CREATORS, overrides=BY_ROLE),
    Case(
        "applications:batch_create",
        lambda o: "/batches/new/",
        CREATORS,
        method="post",
        data={"name": "January"},
        overrides=BY_ROLE,
        unchanged=batches,
    ),
    Case("applications:batch", lambda o: f"/batches/{o['batch'].code}/", ORG_READERS),
    Case(
        "applications:batch_move",
        lambda o: f"/batches/{o['batch'].code}/move/",
        WRITERS,
        method="post",
        data={"status": "submitted"},
        overrides=BY_ROLE,
        unchanged=applications,
    ),
    Case(
        "applications:batch_add",
        lambda o: f"/batches/{o['batch'].code}/add/",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=applications,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    o = objects
    if case.method == "post" and case.data is None:
        data = {
            "applications:create_for_person": application_data(o),
            "applications:create_for_household": application_data(o),
            "applications:edit": application_data(o),
            "applications:batch_add": {"applications": [str(o["application"].code)]},
        }[case.name]
        case = Case(**{**case.__dict__, "data": data})
    run_case(client, cast, o, case, api=False)
