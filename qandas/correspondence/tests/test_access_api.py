"""Who may use each correspondence API operation (DESIGN section 1)."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.correspondence.models import Letter, Promise
from qandas.correspondence.tests.helpers import exchange
from qandas.test import Case, Cast, run_case

pytestmark = pytest.mark.django_db

READERS = {"coordinator", "quetta_coordinator", "liaison", "admin"}
WRITERS = {"liaison", "admin"}
LISTERS = READERS | {"outsider", "outsider_admin"}
BY_ROLE = {"outsider": 403}
# The other organisation's admin passes the role gate but cannot name our records.
NOT_THEIRS = {**BY_ROLE, "outsider_admin": 422}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    return {"x": exchange(cast.organisation, cast.karachi, cast.liaison)}


def letters(o: dict[str, Any]) -> Any:
    return sorted(Letter.objects.values_list("pk", "subject"))


def promises(o: dict[str, Any]) -> Any:
    return sorted(Promise.objects.values_list("pk", "due_on", "slip_count", "kept_on"))


def later() -> str:
    return (timezone.localdate() + timedelta(days=90)).isoformat()


DATA = {
    "POST /api/v1/letters": lambda o: {
        "direction": "in",
        "dated_on": timezone.localdate().isoformat(),
        "authority": str(o["x"].authority.code),
        "subject": "A new answer",
        "reply_to": str(o["x"].reply.code),
    },
    "POST /api/v1/promises": lambda o: {
        "letter": str(o["x"].reply.code),
        "quote": "In December.",
        "due_on": later(),
        "due_precision": "month",
    },
}

API_CASES = [
    Case("GET /api/v1/letters", lambda o: "/api/v1/letters", LISTERS),
    Case(
        "POST /api/v1/letters",
        lambda o: "/api/v1/letters",
        WRITERS | {"outsider_admin"},
        method="post",
        data=None,
        overrides=NOT_THEIRS,
        unchanged=letters,
    ),
    Case("GET /api/v1/letters/{code}", lambda o: f"/api/v1/letters/{o['x'].reply.code}", READERS),
    Case("GET /api/v1/promises", lambda o: "/api/v1/promises?state=promised", LISTERS),
    Case(
        "POST /api/v1/promises",
        lambda o: "/api/v1/promises",
        WRITERS | {"outsider_admin"},
        method="post",
        data=None,
        overrides=NOT_THEIRS,
        unchanged=promises,
    ),
    Case(
        "GET /api/v1/promises/{code}",
        lambda o: f"/api/v1/promises/{o['x'].promise.code}",
        READERS,
    ),
    Case(
        "POST /api/v1/promises/{code}/slips",
        lambda o: f"/api/v1/promises/{o['x'].promise.code}/slips",
        WRITERS,
        method="post",
        data={"due_on": "2099-01-01", "due_precision": "day"},
        overrides=BY_ROLE,
        unchanged=promises,
    ),
    Case(
        "POST /api/v1/promises/{code}/kept",
        lambda o: f"/api/v1/promises/{o['x'].promise.code}/kept",
        WRITERS,
        method="post",
        data={},
        overrides=BY_ROLE,
        unchanged=promises,
    ),
]


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    if case.name in DATA:
        case = Case(**{**case.__dict__, "data": DATA[case.name](objects)})
    run_case(client, cast, objects, case, api=True)
