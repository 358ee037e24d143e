"""The liaison demo: see add_demo_correspondence.

Steps 6 and 7 of the scenario, with invented officials and the demo community's
people; only the authorities are real institutions. Every date is relative to the
moment the demo is loaded, so that right after ``manage.py demo``:

- a batch "Requests of N people from Karachi, Quetta and Peshawar, sent for
  consideration in <month>" (about four and a half months ago) holds verification
  applications of about fifty people, each moved draft → submitted → processed →
  sent for consideration by the liaison, with its history;
- a letter to the foreign minister (about four months ago) was answered (about
  two and a half months ago) with "the work is completed next month": that month is
  over, so the promise is broken; a later reply from his successor (three to four
  weeks ago) moved it to a date that has passed too: broken, with one slip;
- the embassy promised the requests are "considered in <next month>": not yet due;
- and three applications elsewhere in the pipeline: refused, approved, overdue.

Loaded once: the batch has a fixed code; if it exists, nothing is added.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateformat import format as format_date

from qandas.accounts.demo import Demo, demo_loaded
from qandas.accounts.models import City, Organisation, User
from qandas.applications.models import (
    Application,
    ApplicationKind,
    Authority,
    AuthorityKind,
    Batch,
    Official,
    Status,
    StatusChange,
)
from qandas.correspondence.models import Direction, DuePrecision, Letter, Promise, resolve_due
from qandas.people.models import Household, Person

NAMESPACE = uuid.UUID("3b7d2f64-8c0e-4a51-b6e9-2d4f1a7c9e35")
LOADED_MARK = "batch-sent-for-consideration"

EMBASSY = "Embassy of the Republic of Kazakhstan in Islamabad"
MFA = "Ministry of Foreign Affairs of the Republic of Kazakhstan"
INTERIOR = "Ministry of Interior, Government of Pakistan"
# Invented officials.
CONSUL = "Nurzhan Abilkairov"
MINISTER = "Askhat Temirkhanov"
PREDECESSOR = "Beibut Amanzholov"
FOREIGN_MINISTER = "Minister of Foreign Affairs"
CITIES = ["karachi", "quetta", "peshawar"]
# Per city: households applied for as a whole, then households whose members applied
# one by one.
WHOLE_HOUSEHOLDS = 2
MEMBER_HOUSEHOLDS = 2


def key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, label)


def is_loaded() -> bool:
    return Batch.objects.filter(code=key(LOADED_MARK)).exists()


def first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def at(day: date) -> datetime:
    """Mid-morning of ``day``, in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time(10, 30)))


def load_authorities(
    organisation: Organisation, today: date
) -> tuple[dict[str, Authority], dict[str, Official]]:
    """The three authorities and their officials, added where missing."""
    authorities = {
        name: Authority.objects.get_or_create(
            organisation=organisation, name=name, defaults={"kind": kind, "country": country}
        )[0]
        for name, kind, country in [
            (EMBASSY, AuthorityKind.EMBASSY, "Kazakhstan"),
            (MFA, AuthorityKind.MINISTRY, "Kazakhstan"),
            (INTERIOR, AuthorityKind.MINISTRY, "Pakistan"),
        ]
    }
    took_office = today - timedelta(days=50)
    officials = {}
    for name, authority, post, from_on, until_on in [
        (CONSUL, EMBASSY, "Consul", today - timedelta(days=900), None),
        (
            PREDECESSOR,
            MFA,
            FOREIGN_MINISTER,
            today - timedelta(days=1400),
            took_office - timedelta(days=1),
        ),
        (MINISTER, MFA, FOREIGN_MINISTER, took_office, None),
    ]:
        officials[name] = Official.objects.get_or_create(
            authority=authorities[authority],
            name=name,
            defaults={"post": post, "from_on": from_on, "until_on": until_on},
        )[0]
    return authorities, officials


def backdate(applications: list[Application], steps: Sequence[tuple[str, date]]) -> None:
    """Give the history just written the dates the scenario needs (``move_to`` stamps
    now). Demo data only: the history is otherwise append-only."""
    for new, day in steps:
        StatusChange.objects.filter(application__in=applications, new=new).update(at=at(day))
    last_day = steps[-1][1]
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(
        status_changed_at=at(last_day)
    )


def move_along(
    applications: list[Application],
    steps: Sequence[tuple[str, date]],
    by: User,
    batch: Batch | None,
) -> None:
    for new, _day in steps:
        if batch is not None:
            batch.move_all(new, by=by)
        else:
            for application in applications:
                application.move_to(new, by=by)
    backdate(applications, steps)


def households_by_city(
    organisation: Organisation, cities: dict[str, City]
) -> dict[str, list[Household]]:
    """The demo community's households of each city, oldest first, with members."""
    found: dict[str, list[Household]] = {}
    for slug in CITIES:
        found[slug] = [
            household
            for household in Household.objects.filter(organisation=organisation, city=cities[slug])
            .prefetch_related("members")
            .order_by("pk")
            if household.members.all()
        ]
    return found


def load_batch(
    organisation: Organisation,
    cities: dict[str, City],
    authorities: dict[str, Authority],
    liaison: User,
    today: date,
) -> tuple[Batch, list[Person]]:
    """The batch sent for consideration, and people left over for other applications."""
    drafted = today - timedelta(days=200)
    submitted = today - timedelta(days=180)
    processed = today - timedelta(days=150)
    sent = today - timedelta(days=135)
    households = households_by_city(organisation, cities)
    whole: list[Household] = []
    single: list[Person] = []
    spare: list[Person] = []
    for slug in CITIES:
        chosen = households[slug]
        whole += chosen[:WHOLE_HOUSEHOLDS]
        for household in chosen[WHOLE_HOUSEHOLDS : WHOLE_HOUSEHOLDS + MEMBER_HOUSEHOLDS]:
            single += sorted(household.members.all(), key=lambda p: p.pk)
        for household in chosen[WHOLE_HOUSEHOLDS + MEMBER_HOUSEHOLDS :][:1]:
            spare += sorted(household.members.all(), key=lambda p: p.pk)[:1]
    count = sum(len(household.members.all()) for household in whole) + len(single)
    batch = Batch.objects.create(
        code=key(LOADED_MARK),
        organisation=organisation,
        name=(
            f"Requests of {count} people from Karachi, Quetta and Peshawar, "
            f"sent for consideration in {format_date(sent, 'F Y')}"
        ),
        authority=authorities[EMBASSY],
        sent_on=sent,
        created_by=liaison,
        created_at=at(processed),
    )
    number = 0

    def application(**target: Any) -> Application:
        nonlocal number
        number += 1
        return Application(
            code=key(f"batch-application-{number}"),
            organisation=organisation,
            kind=ApplicationKind.VERIFICATION,
            authority=authorities[EMBASSY],
            reference=f"EKZ-ISB-{drafted.year}/{400 + number}",
            submitted_on=submitted,
            batch=batch,
            created_by=liaison,
            created_at=at(drafted) + timedelta(minutes=number),
            status_changed_at=at(drafted),
            **target,
        )

    applications = Application.objects.bulk_create(
        [application(household=household) for household in whole]
        + [application(person=person) for person in single]
    )
    move_along(
        applications,
        [
            (Status.SUBMITTED, submitted),
            (Status.PROCESSED, processed),
            (Status.SENT_FOR_CONSIDERATION, sent),
        ],
        liaison,
        batch,
    )
    return batch, spare


def load_others(
    organisation: Organisation,
    authorities: dict[str, Authority],
    people: list[Person],
    liaison: User,
    today: date,
) -> None:
    """One application refused, one approved and one overdue, outside the batch."""
    if len(people) < 3:
        return
    stories = [
        (
            "refused",
            ApplicationKind.VERIFICATION,
            EMBASSY,
            [
                (Status.SUBMITTED, today - timedelta(days=300)),
                (Status.PROCESSED, today - timedelta(days=240)),
                (Status.REFUSED, today - timedelta(days=90)),
            ],
        ),
        (
            "approved",
            ApplicationKind.QANDAS_STATUS,
            EMBASSY,
            [
                (Status.SUBMITTED, today - timedelta(days=260)),
                (Status.PROCESSED, today - timedelta(days=200)),
                (Status.SENT_FOR_CONSIDERATION, today - timedelta(days=170)),
                (Status.APPROVED, today - timedelta(days=40)),
            ],
        ),
        (
            "overdue",
            ApplicationKind.EXIT_PERMIT,
            INTERIOR,
            [(Status.SUBMITTED, today - timedelta(days=75))],
        ),
    ]
    for person, (label, kind, authority, steps) in zip(people, stories, strict=False):
        first_day = steps[0][1] - timedelta(days=7)
        decided = steps[-1][1] if label in ("refused", "approved") else None
        prefix = "MOI-EP" if label == "overdue" else "EKZ-ISB"
        application = Application.objects.create(
            code=key(f"application-{label}"),
            organisation=organisation,
            kind=kind,
            person=person,
            authority=authorities[authority],
            reference=f"{prefix}-{first_day.year}/{label[:3].upper()}",
            submitted_on=steps[0][1],
            expected_decision_on=steps[0][1] + timedelta(days=45),
            decided_on=decided,
            created_by=liaison,
            created_at=at(first_day),
        )
        move_along([application], steps, liaison, None)


def load_letters(
    organisation: Organisation,
    authorities: dict[str, Authority],
    officials: dict[str, Official],
    batch: Batch,
    liaison: User,
    today: date,
) -> None:
    """The letter to the foreign minister, two replies, the promise and its slip, and
    the embassy's own promise."""
    mfa = authorities[MFA]
    asked = Letter.objects.create(
        code=key("letter-to-minister"),
        organisation=organisation,
        direction=Direction.OUTGOING,
        dated_on=today - timedelta(days=122),
        authority=mfa,
        official=officials[PREDECESSOR],
        sender="Steppe Bridge Network, liaison desk",
        subject="Verification of Kazakh origin: requests sent for consideration",
        text=(
            f"We ask the Ministry to complete the verification of the requests listed in "
            f"“{batch.name}”, forwarded by the Embassy in Islamabad. Many of these families "
            "have waited for years and face arrest and deportation in Pakistan."
        ),
        created_by=liaison,
    )
    first_reply_on = today - timedelta(days=76)
    first_reply = Letter.objects.create(
        code=key("reply-next-month"),
        organisation=organisation,
        direction=Direction.INCOMING,
        dated_on=first_reply_on,
        authority=mfa,
        official=officials[PREDECESSOR],
        subject="Re: Verification of Kazakh origin",
        text=(
            "The Ministry has received the requests. The work on their verification "
            "is completed next month."
        ),
        reply_to=asked,
        created_by=liaison,
    )
    second_reply_on = today - timedelta(days=24)
    second_reply = Letter.objects.create(
        code=key("reply-slipped"),
        organisation=organisation,
        direction=Direction.INCOMING,
        dated_on=second_reply_on,
        authority=mfa,
        official=officials[MINISTER],
        subject="Re: Verification of Kazakh origin",
        text=(
            "The verification of the requests requires additional inquiries with the "
            "competent bodies and will be completed within two weeks."
        ),
        reply_to=first_reply,
        created_by=liaison,
    )
    for letter in (asked, first_reply, second_reply):
        letter.batches.add(batch)
    promise = Promise.objects.create(
        code=key("promise-next-month"),
        organisation=organisation,
        authority=mfa,
        official=officials[PREDECESSOR],
        letter=first_reply,
        made_on=first_reply_on,
        quote="The work on their verification is completed next month.",
        due_on=resolve_due(first_of_next_month(first_reply_on), DuePrecision.MONTH),
        due_precision=DuePrecision.MONTH,
        created_by=liaison,
    )
    promise.batches.add(batch)
    promise.slip(
        second_reply_on + timedelta(days=14),
        precision=DuePrecision.DAY,
        by=liaison,
        letter=second_reply,
        quote="Will be completed within two weeks.",
    )
    next_month = first_of_next_month(today)
    embassy = Promise.objects.create(
        code=key("promise-embassy"),
        organisation=organisation,
        authority=authorities[EMBASSY],
        official=officials[CONSUL],
        meeting_on=today - timedelta(days=12),
        made_on=today - timedelta(days=12),
        quote=f"The requests will be considered in {format_date(next_month, 'F')}.",
        due_on=resolve_due(next_month, DuePrecision.MONTH),
        due_precision=DuePrecision.MONTH,
        created_by=liaison,
    )
    embassy.batches.add(batch)


@transaction.atomic
def load(organisation: Organisation, cities: dict[str, City], users: dict[str, User]) -> bool:
    """Load steps 6 and 7 once; returns whether anything was added."""
    if is_loaded() or "liaison" not in users:
        return False
    if not Person.objects.filter(organisation=organisation).exists():
        return False
    today = timezone.localdate()
    liaison = users["liaison"]
    authorities, officials = load_authorities(organisation, today)
    batch, spare = load_batch(organisation, cities, authorities, liaison, today)
    load_others(organisation, authorities, spare, liaison, today)
    load_letters(organisation, authorities, officials, batch, liaison, today)
    return True


@receiver(demo_loaded, sender=Demo)
def add_demo_correspondence(
    sender: Any,
    organisation: Organisation,
    cities: dict[str, City],
    users: dict[str, User],
    **kwargs: Any,
) -> None:
    load(organisation, cities, users)
