"""Promises: "in December" means 31 December; broken by itself; slips; kept; worst first."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from qandas.accounts.models import Organisation
from qandas.audit.models import AuditEvent, Verb
from qandas.correspondence.models import Letter, Promise, Slip
from qandas.correspondence.tests.helpers import exchange
from qandas.test import Cast

# A slip locks the promise (select_for_update) and adds with F(); states and the
# worst-first order are computed in SQL from dates (Case/When): so both engines.
pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)


def letter_of(organisation: Organisation, authority: Any, on: date, by: Any) -> Letter:
    return Letter.objects.create(
        organisation=organisation,
        direction="in",
        dated_on=on,
        authority=authority,
        subject=f"Answer of {on}",
        text="…",
        created_by=by,
    )


@pytest.fixture
def x(cast: Cast) -> Any:
    with time_machine.travel(noon(date(2026, 11, 1)), tick=False):
        return exchange(cast.organisation, cast.karachi, cast.liaison)


def test_in_december_is_promised_until_31_december_and_broken_on_1_january_by_itself(
    client: Client, cast: Cast, x: Any
) -> None:
    with time_machine.travel(noon(date(2026, 11, 1)), tick=False):
        client.force_login(cast.liaison)
        letter = letter_of(cast.organisation, x.authority, date(2026, 10, 20), cast.liaison)
        response = client.post(
            f"/letters/{letter.code}/promises/new/",
            {
                "quote": "The decision will come in December.",
                "made_on": "2026-10-20",
                "due_on": "2026-12-05",
                "due_precision": "month",
                "official": str(x.official.code),
            },
        )
        assert response.status_code == 302, response.content
    promise = Promise.objects.get(letter=letter)
    assert promise.due_on == date(2026, 12, 31)
    assert promise.official == x.official
    assert AuditEvent.objects.filter(verb=Verb.CREATE, object_code=promise.code).exists()
    with time_machine.travel(noon(date(2026, 12, 31)), tick=False):
        client.force_login(cast.liaison)  # the session of November has expired
        assert promise.state == "promised"
        assert Promise.objects.in_state("promised").filter(pk=promise.pk).exists()
        page = client.get(f"/promises/{promise.code}/").content.decode()
        assert "2026-12" in page and "Promised" in page
    with time_machine.travel(noon(date(2027, 1, 1)), tick=False):
        client.force_login(cast.liaison)
        assert promise.state == "broken"
        assert promise.days_late == 1
        assert Promise.objects.in_state("broken").filter(pk=promise.pk).exists()
        page = client.get("/promises/").content.decode()
        assert "Broken" in page and "1 day late" in page


def test_a_slip_moves_the_date_keeps_the_old_one_and_counts(
    client: Client, cast: Cast, x: Any
) -> None:
    promise = x.promise
    old = promise.due_on
    later = letter_of(cast.organisation, x.authority, date(2026, 11, 20), cast.liaison)
    with time_machine.travel(noon(date(2026, 11, 25)), tick=False):
        client.force_login(cast.liaison)
        response = client.post(
            f"/promises/{promise.code}/slips/",
            {
                "due_on": "2027-03-01",
                "due_precision": "month",
                "letter": str(later.code),
                "quote": "By the end of March.",
            },
        )
        assert response.status_code == 302, response.content
        promise.refresh_from_db()
        assert promise.due_on == date(2027, 3, 31)
        assert promise.slip_count == 1
        assert promise.state == "repromised"
        slip = Slip.objects.get(promise=promise)
        assert (slip.old_due_on, slip.new_due_on, slip.letter) == (old, date(2027, 3, 31), later)
        assert slip.given_on == later.dated_on
        page = client.get(f"/promises/{promise.code}/").content.decode()
        assert f"{old:%Y-%m-%d}" in page and "2027-03" in page and "By the end of March." in page
        # A new date before it was given is refused, and nothing moves.
        response = client.post(
            f"/promises/{promise.code}/slips/", {"due_on": "2026-01-01", "due_precision": "day"}
        )
        assert response.status_code == 422
        assert "cannot be before" in response.content.decode()
        promise.refresh_from_db()
        assert promise.slip_count == 1

        response = client.post(f"/promises/{promise.code}/kept/", {"kept_on": "2026-11-24"})
        assert response.status_code == 302
        promise.refresh_from_db()
        assert promise.kept_on == date(2026, 11, 24)
        assert promise.state == "kept"


def test_api_filters_by_state_and_lists_worst_first(client: Client, cast: Cast, x: Any) -> None:
    base = {
        "organisation": cast.organisation,
        "authority": x.authority,
        "letter": x.letter,
        "made_on": x.letter.dated_on,
        "quote": "…",
    }
    with time_machine.travel(noon(date(2026, 11, 1)), tick=False):
        today = date(2026, 11, 1)
        broken_long = Promise.objects.create(**base, due_on=today - timedelta(days=20))
        broken_short = Promise.objects.create(**base, due_on=today - timedelta(days=2))
        soon = Promise.objects.create(**base, due_on=today + timedelta(days=5))
        kept = Promise.objects.create(
            **base, due_on=today - timedelta(days=30), kept_on=today - timedelta(days=31)
        )
        order = list(Promise.objects.filter(letter=x.letter).worst_first())
        assert order[:3] == [broken_long, broken_short, soon]
        assert order[-1] == kept
        headers = {"Authorization": f"Bearer {cast.token('coordinator')}"}
        body = client.get("/api/v1/promises?state=broken", headers=headers).json()
        assert body["count"] == 2
        assert [r["code"] for r in body["results"]] == [
            str(broken_long.code),
            str(broken_short.code),
        ]
        assert {r["state"] for r in body["results"]} == {"broken"}
        assert body["results"][0]["days_late"] == 20
        kept_body = client.get("/api/v1/promises?state=kept", headers=headers).json()
        assert [r["code"] for r in kept_body["results"]] == [str(kept.code)]
        page = client.get("/promises/")  # not logged in: the login wall
        assert page.status_code == 302


def test_a_due_date_before_the_letter_is_refused(client: Client, cast: Cast, x: Any) -> None:
    client.force_login(cast.admin)
    count = Promise.objects.count()
    response = client.post(
        f"/letters/{x.reply.code}/promises/new/",
        {
            "quote": "Soon.",
            "made_on": x.reply.dated_on.isoformat(),
            "due_on": (x.reply.dated_on - timedelta(days=3)).isoformat(),
            "due_precision": "day",
        },
    )
    assert response.status_code == 200
    assert "cannot be before" in response.content.decode()
    assert Promise.objects.count() == count
    token = cast.token("admin")
    response = client.post(
        "/api/v1/promises",
        {
            "letter": str(x.reply.code),
            "quote": "Soon.",
            "due_on": (x.reply.dated_on - timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "before the letter" in response.json()["detail"]
    assert Promise.objects.count() == count
