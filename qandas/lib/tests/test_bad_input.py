"""Requests refused before anything reads them (``lib.middleware.BadInputMiddleware``),
found by exploratory testing (10a)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from qandas.people.models import Person
from qandas.test import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def test_a_body_too_large_is_refused_before_it_is_read(
    client: Client, cast: Cast, monkeypatch: Any
) -> None:
    """The CSRF check read a POST's body before the sign-in check: anyone could make the
    server write hundreds of megabytes to the private store's disk."""
    monkeypatch.setattr(settings, "REQUEST_MAX_BYTES", 10_000)
    incoming = Path(settings.FILE_UPLOAD_TEMP_DIR)
    before = set(incoming.iterdir())
    big = {"file": ("x" * 20_000)}
    for signed_in in (False, True):
        if signed_in:
            client.force_login(cast.coordinator)
        refused = client.post("/lists/new/", big)
        assert refused.status_code == 413, signed_in
        page = refused.content.decode()  # what the limit is, and a way back
        assert "a file may be at most 15 MB" in page and 'href="/"' in page
    api = client.post(
        "/api/v1/people",
        {"names": [{"text": "A" * 20_000}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {cast.token('coordinator')}"},
    )
    assert api.status_code == 413 and "at most 15 MB" in api.json()["detail"]
    assert set(incoming.iterdir()) == before
    small = client.post("/lists/new/", {"kind": "police"})  # under it: the form answers
    assert small.status_code == 200


def test_a_nul_in_an_api_value_is_refused_not_a_500(client: Client, cast: Cast) -> None:
    """PostgreSQL cannot store a NUL, and its error was a 500; on SQLite a father's name
    with one was saved."""
    auth = {"Authorization": f"Bearer {cast.token('admin')}"}
    for url in (
        "/api/v1/people?city=kar%00achi",
        "/api/v1/people?q=Aidos&city=kar%00achi",
        "/api/v1/custody-board?city=kar%00achi",
        "/api/v1/audit-events?actor=ad%00min",
    ):
        response = client.get(url, headers=auth)
        assert response.status_code == 422, url
        assert "NUL" in response.json()["detail"]
    for field in ("father_name", "clan", "place_of_origin", "languages", "notes"):
        body = {"names": [{"text": "Qwerty Uiopova"}], "city": "karachi", field: "Bo\x00lat"}
        response = client.post(
            "/api/v1/people", body, content_type="application/json", headers=auth
        )
        assert response.status_code == 422, field
    # The API reads a body as JSON whatever type it is sent as (found by exploratory
    # testing, 11a: as text/plain, a NUL in a father's name was saved).
    raw = '{"names": [{"text": "Qwerty Uiopova"}], "city": "karachi", "father_name": "B\\u0000t"}'
    for kind in ("text/plain", "application/x-www-form-urlencoded", "text/json"):
        response = client.post("/api/v1/people", raw, content_type=kind, headers=auth)
        assert response.status_code == 422, kind
    assert not Person.objects.exists()
    fine = client.get("/api/v1/people?city=karachi", headers=auth)
    assert fine.status_code == 200


def test_an_api_body_past_what_is_read_into_memory_is_a_413_not_a_500(
    client: Client, cast: Cast
) -> None:
    """Between Django's 2 MB read into memory and the 30 MB refused before reading, a
    JSON body raised RequestDataTooBig: a 500 (found by exploratory testing, 11a)."""
    auth = {"Authorization": f"Bearer {cast.token('admin')}"}
    body = {"names": [{"text": "Qwerty Uiopova"}], "notes": "x" * (3 * 2**20)}
    response = client.post("/api/v1/people", body, content_type="application/json", headers=auth)
    assert response.status_code == 413 and "at most 15 MB" in response.json()["detail"]
    assert not Person.objects.exists()
