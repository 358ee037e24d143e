"""Who may use each applications API operation (DESIGN section 1)."""

from collections.abc import Callable
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

ORG_READERS = {"coordinator", "quetta_coordinator", "liaison", "admin"}
LISTERS = ORG_READERS | {"outsider", "outsider_admin"}
APP_READERS = {"coordinator", "liaison", "admin"}
WRITERS = {"liaison", "admin"}
CREATORS = WRITERS | {"outsider_admin"}
BY_ROLE = {"outsider": 403}
UNSEEN = {"quetta_coordinator": 404}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    return setting(cast.organisation, cast.karachi)


API_CASES = [
    Case("GET /api/v1/authorities", lambda o: "/api/v1/authorities", LISTERS),
    Case(
        "POST /api/v1/authorities",
        lambda o: "/api/v1/authorities",
        CREATORS,
        method="post",
        data={"kind": "court", "name": "High Court"},
        # The admin adds it (201); the liaison, after, finds the name taken (422).
        overrides={**BY_ROLE, "liaison": 422},
        unchanged=authorities,
    ),
    Case(
        "GET /api/v1/authorities/{code}",
        lambda o: f"/api/v1/authorities/{o['authority'].code}",
        ORG_READERS,
    ),
    Case(
        "GET /api/v1/authorities/{code}/officials",
        lambda o: f"/api/v1/authorities/{o['authority'].code}/officials",
        ORG_READERS,
    ),
    Case(
        "POST /api/v1/authorities/{code}/officials",
        lambda o: f"/api/v1/authorities/{o['authority'].code}/officials",
        WRITERS,
        method="post",
        data={"name": "B. Consul", "post": "Consul"},
        overrides=BY_ROLE,
        unchanged=officials,
    ),
    Case("GET /api/v1/applications", lambda o: "/api/v1/applications", LISTERS),
    Case(
        "POST /api/v1/applications",
        lambda o: "/api/v1/applications",
        WRITERS,
        method="post",
        data=None,
        overrides=BY_ROLE,
        unchanged=applications,
    ),
    Case(
        "GET /api/v1/applications/{code}",
        lambda o: f"/api/v1/applications/{o['application'].code}",
        APP_READERS,
        overrides=UNSEEN,
    ),
    Case(
        "POST /api/v1/applications/{code}/moves",
        lambda o: f"/api/v1/applications/{o['application'].code}/moves",
        WRITERS,
        method="post",
        data={"status": "submitted", "expected": "draft"},
        # The admin moves it (201); the liaison's page is stale by then (409).
        overrides={**BY_ROLE, "liaison": 409},
        unchanged=applications,
    ),
    Case("GET /api/v1/batches", lambda o: "/api/v1/batches", LISTERS),
    Case(
        "POST /api/v1/batches",
        lambda o: "/api/v1/batches",
        CREATORS,
        method="post",
        data={"name": "January"},
        overrides=BY_ROLE,
        unchanged=batches,
    ),
    Case("GET /api/v1/batches/{code}", lambda o: f"/api/v1/batches/{o['batch'].code}", ORG_READERS),
    Case(
        "POST /api/v1/batches/{code}/moves",
        lambda o: f"/api/v1/batches/{o['batch'].code}/moves",
        WRITERS,
        method="post",
        data={"status": "submitted"},
        overrides=BY_ROLE,
        unchanged=applications,
    ),
]

DATA: dict[str, Callable[[dict[str, Any]], Any]] = {
    "POST /api/v1/applications": lambda o: {
        "kind": "visa",
        "person": str(o["person"].code),
        "authority": str(o["authority"].code),
    },
}


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    if case.name in DATA:
        case = Case(**{**case.__dict__, "data": DATA[case.name](objects)})
    run_case(client, cast, objects, case, api=True)
