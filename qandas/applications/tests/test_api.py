"""The applications API: creating, moving (409 and 422), filters, batch moves."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qandas.applications.models import Application
from qandas.applications.tests.helpers import setting
from qandas.test import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def o(cast: Cast) -> dict[str, Any]:
    return setting(cast.organisation, cast.karachi)


def api(client: Client, cast: Cast, name: str) -> Any:
    headers = {"Authorization": f"Bearer {cast.token(name)}"}

    def call(method: str, path: str, data: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": headers}
        if data is not None:
            kwargs["content_type"] = "application/json"
            return getattr(client, method)(f"/api/v1{path}", data, **kwargs)
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


def test_create_for_a_person_or_a_household(client: Client, cast: Cast, o: dict) -> None:
    call = api(client, cast, "liaison")
    base = {"kind": "visa", "authority": str(o["authority"].code)}
    for_person = call("post", "/applications", {**base, "person": str(o["person"].code)})
    assert for_person.status_code == 201, for_person.json()
    body = for_person.json()
    assert (body["person"], body["household"], body["status"]) == (
        str(o["person"].code),
        None,
        "draft",
    )
    assert body["history"] == []
    household = call("post", "/applications", {**base, "household": str(o["household"].code)})
    assert household.status_code == 201 and household.json()["household"] == str(
        o["household"].code
    )
    both = call(
        "post",
        "/applications",
        {**base, "person": str(o["person"].code), "household": str(o["household"].code)},
    )
    assert both.status_code == 422 and both.json()["detail"]


def test_moves_answer_201_409_and_422(client: Client, cast: Cast, o: dict) -> None:
    call = api(client, cast, "admin")
    path = f"/applications/{o['application'].code}/moves"
    moved = call("post", path, {"status": "submitted", "note": "Handed in", "expected": "draft"})
    assert moved.status_code == 201
    assert moved.json() | {"at": None} == {
        "old": "draft",
        "new": "submitted",
        "at": None,
        "by": "admin",
        "note": "Handed in",
        "batch": None,
    }
    stale = call("post", path, {"status": "submitted", "expected": "draft"})
    assert stale.status_code == 409 and "Someone else moved" in stale.json()["detail"]
    refused = call("post", path, {"status": "arrived"})
    assert refused.status_code == 422 and "cannot become" in refused.json()["detail"]
    detail = call("get", f"/applications/{o['application'].code}").json()
    assert [(h["old"], h["new"]) for h in detail["history"]] == [("draft", "submitted")]


def test_list_filters(client: Client, cast: Cast, o: dict) -> None:
    late = o["application"]
    late.move_to("submitted", by=cast.admin)
    Application.objects.filter(pk=late.pk).update(
        expected_decision_on=timezone.localdate() - timedelta(days=1)
    )
    call = api(client, cast, "coordinator")
    every = call("get", "/applications").json()
    assert every["count"] == 2
    for query, expected in [
        ("?overdue=true", [late]),
        ("?status=draft", [o["household_application"]]),
        (f"?person={o['person'].code}", [late]),
        (f"?batch={o['batch'].code}", [o["household_application"]]),
        ("?kind=visa", [late]),
    ]:
        body = call("get", "/applications" + query).json()
        assert [r["code"] for r in body["results"]] == [str(a.code) for a in expected], query
    assert [r["overdue"] for r in call("get", "/applications?overdue=true").json()["results"]] == [
        True
    ]


# A batch move locks its applications (select_for_update): engine-dependent.
@pytest.mark.engines
def test_a_batch_move_reports_moved_and_skipped(client: Client, cast: Cast, o: dict) -> None:
    batch = o["batch"]
    arrived = Application.objects.create(
        organisation=batch.organisation,
        kind="visa",
        person=o["person"],
        authority=o["authority"],
        batch=batch,
        status="arrived",
    )
    call = api(client, cast, "liaison")
    response = call("post", f"/batches/{batch.code}/moves", {"status": "submitted"})
    assert response.json() == {"moved": 1, "skipped": [str(arrived.code)]}
    detail = call("get", f"/batches/{batch.code}").json()
    assert detail["counts"] == {"submitted": 1, "arrived": 1}


def test_an_official_replaces_another(client: Client, cast: Cast, o: dict) -> None:
    call = api(client, cast, "admin")
    path = f"/authorities/{o['authority'].code}/officials"
    response = call(
        "post",
        path,
        {
            "name": "New Ambassador",
            "post": "Ambassador",
            "from_on": "2026-02-01",
            "replaces": str(o["official"].code),
        },
    )
    assert response.status_code == 201
    officials = {r["name"]: r for r in call("get", path).json()["results"]}
    assert officials["A. Ambassador"]["until_on"] == "2026-02-01"
    assert officials["New Ambassador"]["until_on"] is None
