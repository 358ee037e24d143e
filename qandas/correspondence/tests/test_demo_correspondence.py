"""The demo's steps 6 and 7: a batch sent for consideration, and promises broken."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qandas.accounts.models import Organisation
from qandas.applications.models import Application, Authority, Batch, Official, Status, StatusChange
from qandas.correspondence import demo
from qandas.correspondence.exports import batch_rows
from qandas.correspondence.models import Letter, Promise, PromiseState, Slip
from qandas.people.models import Person

# The demo is loaded by bin/run on SQLite; its tests run in that pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.once]

# Names from the news report the scenario comes from: never in the demo.
ARTICLE_NAMES = [
    "Latifi",
    "Latif",
    "Hameed",
    "Shamshi",
    "Kystafin",
    "Jorabai",
    "Islamuddin",
    "Zhumamurat",
    "Yerzhan",
    "Saifullah",
    "Nurtleu",
    "Ullah",
    "Orda",
]


@dataclass
class Loaded:
    organisation: Organisation
    batch: Batch
    first: dict[str, int]
    second: dict[str, int]


def counts() -> dict[str, int]:
    return {
        "authorities": Authority.objects.count(),
        "officials": Official.objects.count(),
        "batches": Batch.objects.count(),
        "applications": Application.objects.count(),
        "history": StatusChange.objects.count(),
        "letters": Letter.objects.count(),
        "promises": Promise.objects.count(),
        "slips": Slip.objects.count(),
    }


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    """``demo`` run twice, once per module, in a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        first = counts()
        call_command("demo", stdout=StringIO())
        yield Loaded(
            Organisation.objects.get(slug="steppe-bridge"),
            Batch.objects.get(code=demo.key(demo.LOADED_MARK)),
            first,
            counts(),
        )
        transaction.set_rollback(True)


def test_the_batch_was_sent_for_consideration_with_history(loaded: Loaded) -> None:
    batch = loaded.batch
    assert batch.organisation == loaded.organisation
    assert batch.name.startswith("Requests of ")
    assert "from Karachi, Quetta and Peshawar, sent for consideration in" in batch.name
    applications = list(batch.applications.all())
    assert applications
    assert {a.status for a in applications} == {Status.SENT_FOR_CONSIDERATION}
    assert {a.kind for a in applications} == {"verification"}
    assert batch.applications.filter(household__isnull=False).exists()
    assert batch.applications.filter(person__isnull=False).exists()
    for application in applications:
        moves = [(c.old, c.new, c.by.username) for c in application.history.all()]
        assert moves == [
            ("draft", "submitted", "liaison"),
            ("submitted", "processed", "liaison"),
            ("processed", "sent_for_consideration", "liaison"),
        ]
    rows = batch_rows(batch)
    assert 40 <= len(rows) <= 60
    assert f"Requests of {len(rows)} people" in batch.name
    cities = set(
        Person.objects.filter(
            Q(applications__batch=batch) | Q(household__applications__batch=batch)
        ).values_list("current_city__slug", flat=True)
    )
    assert cities == {"karachi", "quetta", "peshawar"}
    history = StatusChange.objects.filter(application__batch=batch, new="sent_for_consideration")
    assert {c.at.date() for c in history} == {batch.sent_on}


def test_the_ministers_promise_is_broken_with_one_slip(loaded: Loaded) -> None:
    today = timezone.localdate()
    promise = Promise.objects.get(code=demo.key("promise-next-month"))
    assert promise.state == PromiseState.BROKEN
    assert promise.slip_count == 1
    slip = promise.slips.get()
    assert slip.old_due_on < slip.new_due_on < today
    assert slip.letter is not None and slip.letter.reply_to == promise.letter
    assert promise.official is not None and promise.official.until_on is not None
    assert promise.official.until_on < today  # the predecessor promised
    current = Official.objects.in_office().get(post=demo.FOREIGN_MINISTER)
    assert slip.letter.official == current
    # (thread() from the root: from a reply it currently loses the letters in between.)
    thread = Letter.objects.get(code=demo.key("letter-to-minister")).thread()
    assert [letter.direction for letter in thread] == ["out", "in", "in"]
    embassy = Promise.objects.get(code=demo.key("promise-embassy"))
    assert embassy.state == PromiseState.PROMISED
    assert embassy.due_precision == "month" and embassy.due_on > today
    assert loaded.batch in embassy.batches.all()


def test_other_applications_are_refused_approved_and_overdue(loaded: Loaded) -> None:
    others = Application.objects.filter(organisation=loaded.organisation, batch__isnull=True)
    assert {a.status for a in others} >= {Status.REFUSED, Status.APPROVED}
    assert others.overdue().exists()


def test_running_demo_again_adds_nothing(loaded: Loaded) -> None:
    assert loaded.first == loaded.second
    assert loaded.first["batches"] == 1


def test_no_name_from_the_news_report(loaded: Loaded) -> None:
    texts = [
        *Authority.objects.values_list("name", flat=True),
        *Official.objects.values_list("name", flat=True),
        *Batch.objects.values_list("name", flat=True),
        *Promise.objects.values_list("quote", flat=True),
        *Slip.objects.values_list("quote", flat=True),
        *Application.objects.values_list("reference", flat=True),
    ]
    for letter in Letter.objects.all():
        texts += [letter.subject, letter.text, letter.sender]
    for text in texts:
        for name in ARTICLE_NAMES:
            assert name.lower() not in text.lower(), (name, text)
