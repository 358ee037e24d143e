"""Recording, correcting and retracting events, and keeping custody state in step.

Every change of events ends in ``recompute``: the person's episodes and state are
derived again from all their current events, inside the same transaction, and the
clocks for that person are evaluated, so an alarm clears the moment it should.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qandas.accounts.models import User
from qandas.incidents.derive import Derived, Fact, derive
from qandas.incidents.models import (
    Assignment,
    Attachment,
    ClockSettings,
    Custody,
    CustodyState,
    Episode,
    Event,
    EventKind,
    EventPerson,
    EventRevision,
    Place,
    PlaceKind,
)
from qandas.incidents.models.events import MAY_BE_FUTURE, RevisionAction
from qandas.lib.files import CleanFile
from qandas.people.models import Household, Person

# The fields a caller may set on an event (forms and API list theirs explicitly too).
EVENT_FIELDS = (
    "kind",
    "occurred_at",
    "precision",
    "place",
    "source",
    "source_detail",
    "reliability",
    "notes",
    "asked_by",
    "answer",
    "channel",
    "reported_location",
    "document_shown",
)
WARNINGS = {
    "not_in_custody": gettext_lazy(
        "%(person)s was not recorded as in custody at that time; it is saved anyway."
    ),
    "deported_not_in_custody": gettext_lazy(
        "%(person)s was not recorded as in custody before the deportation; it is saved anyway."
    ),
    "already_in_custody": gettext_lazy(
        "%(person)s was already recorded as in custody at that time."
    ),
    "after_death": gettext_lazy("%(person)s was recorded as deceased before this event."),
}
OPENERS = {EventKind.ARREST, EventKind.DISAPPEARANCE, EventKind.LOCATED, EventKind.TRANSFER}


@dataclass
class Outcome:
    """What recording an event did: the events, and anything the user should know."""

    events: list[Event]
    warnings: list[str] = field(default_factory=list)
    created: bool = True


def facts_of(person: Person) -> list[Fact]:
    rows = (
        Event.objects.current()
        .filter(involvements__person=person)
        .values_list("id", "code", "kind", "occurred_at", "place_id", "place__kind", "answer")
    )
    return [
        Fact(
            id=r[0], code=str(r[1]), kind=r[2], at=r[3], place_id=r[4], place_kind=r[5], answer=r[6]
        )
        for r in rows
    ]


def derive_for(person: Person, *, now: datetime | None = None) -> Derived:
    settings = ClockSettings.of(person.organisation_id)
    return derive(
        facts_of(person),
        now=now or timezone.now(),
        out_of_contact_after=settings.out_of_contact_after,
    )


def recompute(person: Person, *, now: datetime | None = None) -> Derived:
    """Bring the person's episodes and custody state in line with their events."""
    from qandas.incidents.clocks import evaluate

    now = now or timezone.now()
    with transaction.atomic():
        # One recompute per person at a time: a second writer waits here and then sees
        # the first one's events (READ COMMITTED reads anew at each statement).
        list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
        derived = _store(person, now=now)
        evaluate(now=now, people=[person.pk])
    return derived


def _store(person: Person, *, now: datetime) -> Derived:
    derived = derive_for(person, now=now)
    keep: list[int] = []
    for facts in derived.episodes:
        episode, _created = Episode.objects.update_or_create(
            person=person,
            opening_event_id=facts.opening_event_id,
            defaults={
                "organisation_id": person.organisation_id,
                "opened_by": facts.opened_by,
                "opened_at": facts.opened_at,
                "closed_at": facts.closed_at,
                "closing_event_id": facts.closing_event_id,
                "closed_by": facts.closed_by,
                "place_id": facts.place_id,
                "located_at": facts.located_at,
                "unlocated_since": facts.unlocated_since,
                "produced_at": facts.produced_at,
            },
        )
        if sorted(episode.searched_places.values_list("pk", flat=True)) != sorted(
            facts.searched_place_ids
        ):
            episode.searched_places.set(facts.searched_place_ids)
        keep.append(episode.pk)
    Episode.objects.filter(person=person).exclude(pk__in=keep).delete()
    Custody.objects.update_or_create(
        person=person,
        defaults={
            "organisation_id": person.organisation_id,
            "state": derived.state,
            "since": derived.since,
            "last_contact_at": derived.last_contact_at,
            "episode_id": keep[-1] if keep else None,
            "updated_at": now,
        },
    )
    return derived


def _check(event: Event, people: list[Person], *, now: datetime) -> None:
    """Refuse what cannot be true: the future, a wrong kind of place, a release with
    no custody to end."""
    errors: dict[str, Any] = {}
    if event.occurred_at > now + timedelta(minutes=5) and event.kind not in MAY_BE_FUTURE:
        errors["occurred_at"] = _("This cannot have happened in the future.")
    if not people:
        errors["people"] = _("Choose at least one person.")
    if (
        event.kind == EventKind.DEPORTATION
        and event.place is not None
        and event.place.kind != PlaceKind.BORDER_CROSSING
    ):
        errors["place"] = _("A deportation's place is the border crossing.")
    if event.kind == EventKind.SEARCH and event.place is None:
        errors["place"] = _("Say which place was asked.")
    if event.kind == EventKind.SEARCH and not event.answer:
        errors["answer"] = _("Say what the place answered.")
    if event.kind == EventKind.CONTACT and not event.channel:
        errors["channel"] = _("Say how they were in touch.")
    if event.place is not None and event.place.organisation_id != event.organisation_id:
        errors["place"] = _("Choose one of your organisation's places.")
    if any(p.organisation_id != event.organisation_id for p in people):
        errors["people"] = _("Everyone must belong to the same organisation.")
    if errors:
        raise ValidationError(errors)


def _people_warnings(
    event: Event, people: list[Person], *, now: datetime, replacing: int | None = None
) -> list[str]:
    """Derive each person's state with this event; refuse the impossible, warn of the odd."""
    fact = Fact(
        id=-1,
        code="~",
        kind=event.kind,
        at=event.occurred_at,
        place_id=event.place_id,
        place_kind=event.place.kind if event.place else None,
        answer=event.answer,
    )
    warnings, refusals = [], []
    for person in people:
        # A correction is checked as if the event already had its new values.
        facts = [f for f in facts_of(person) if f.id != replacing]
        derived = derive(
            [*facts, fact],
            now=now,
            out_of_contact_after=ClockSettings.of(person.organisation_id).out_of_contact_after,
        )
        for event_id, code in derived.warnings:
            if event_id != -1:
                continue
            later = [f.at for f in facts if f.kind in OPENERS and f.at > event.occurred_at]
            if code == "not_in_custody" and later:
                # A release before the arrest it would end: a typing error, not news.
                refusals.append(
                    _("%(person)s's custody is recorded as starting on %(date)s, after this.")
                    % {
                        "person": person.primary_name,
                        "date": timezone.localtime(min(later)).strftime("%Y-%m-%d %H:%M"),
                    }
                )
            else:
                warnings.append(WARNINGS[code] % {"person": person.primary_name})
    if refusals:
        raise ValidationError({"occurred_at": refusals})
    return warnings


def record_event(
    *,
    by: User,
    people: list[Person],
    household: Household | None = None,
    idempotency_key: uuid.UUID | None = None,
    now: datetime | None = None,
    **values: Any,
) -> Outcome:
    """Record one event for these people; refuses impossible ones (ValidationError).

    With an ``idempotency_key`` already used, nothing new is written and the earlier
    event is returned (``created=False``).
    """
    now = now or timezone.now()
    if idempotency_key is not None:
        earlier = _earlier(idempotency_key, people)
        if earlier is not None:
            return Outcome([earlier], created=False)
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    if not people:
        raise ValidationError({"people": _("Choose at least one person.")})
    event = Event(
        organisation_id=people[0].organisation_id,
        household=household,
        created_by=by,
        idempotency_key=idempotency_key,
        **values,
    )
    _check(event, people, now=now)
    warnings = _people_warnings(event, people, now=now)
    try:
        with transaction.atomic():
            event.save()
            EventPerson.objects.bulk_create(EventPerson(event=event, person=p) for p in people)
            for person in people:
                recompute(person, now=now)
    except IntegrityError:
        earlier = _earlier(idempotency_key, people) if idempotency_key else None
        if earlier is None:
            raise
        return Outcome([earlier], created=False)
    return Outcome([event], warnings=warnings)


def _earlier(key: uuid.UUID, people: list[Person]) -> Event | None:
    """The event an earlier post with this key recorded. A key is a random UUID; one
    used in another organisation is refused rather than answered."""
    earlier = Event.objects.filter(idempotency_key=key).first()
    if earlier is None:
        return None
    if not people or earlier.organisation_id != people[0].organisation_id:
        raise ValidationError(_("This request key was already used. Reload the form."))
    return earlier


def record_arrest(
    *,
    by: User,
    household: Household,
    people: list[Person],
    occurred_at: datetime,
    place: Place | None,
    document_shown: str,
    idempotency_key: uuid.UUID,
    source: str = "family",
    notes: str = "",
    now: datetime | None = None,
) -> Outcome:
    """A raid on a household and the arrest of the people ticked, in one transaction.

    The quick arrest screen's verb. The raid and the arrest share the form's key (the
    raid's is derived from it), so a second post of the same form writes nothing.
    """
    now = now or timezone.now()
    earlier = _earlier(idempotency_key, people)
    if earlier is not None:
        return Outcome(_raid_and_arrest(earlier), created=False)
    common: dict[str, Any] = {
        "occurred_at": occurred_at,
        "source": source,
        "notes": notes,
        "now": now,
    }
    try:
        with transaction.atomic():
            raid = record_event(
                by=by,
                people=people,
                household=household,
                kind=EventKind.RAID,
                document_shown=document_shown,
                idempotency_key=uuid.uuid5(idempotency_key, "raid"),
                **common,
            )
            arrest = record_event(
                by=by,
                people=people,
                household=household,
                kind=EventKind.ARREST,
                place=place,
                document_shown=document_shown,
                idempotency_key=idempotency_key,
                **common,
            )
            if not (raid.created and arrest.created):
                # The other request won between our check and our insert.
                raise IntegrityError("arrest already recorded")
    except IntegrityError:
        earlier = _earlier(idempotency_key, people)
        if earlier is None:
            raise
        return Outcome(_raid_and_arrest(earlier), created=False)
    return Outcome([*raid.events, *arrest.events], warnings=arrest.warnings)


def _raid_and_arrest(arrest: Event) -> list[Event]:
    assert arrest.idempotency_key is not None
    raid = Event.objects.filter(idempotency_key=uuid.uuid5(arrest.idempotency_key, "raid"))
    return [*raid, arrest]


def correct_event(
    event: Event,
    *,
    by: User,
    reason: str,
    people: list[Person] | None = None,
    now: datetime | None = None,
    **values: Any,
) -> Outcome:
    """Change an event's values, keeping what they were and why they changed."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the event is corrected.")})
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    before = event.snapshot()
    old_people = list(event.people.all())
    new_people = people if people is not None else old_people
    candidate = copy.copy(event)
    for name, value in values.items():
        setattr(candidate, name, value)
    _check(candidate, new_people, now=now)
    _people_warnings(candidate, new_people, now=now, replacing=event.pk)
    for name, value in values.items():
        setattr(event, name, value)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.retracted_at is not None:
            raise ValidationError(_("A retracted event cannot be corrected."))
        event.save()
        if people is not None:
            EventPerson.objects.filter(event=event).exclude(person__in=people).delete()
            EventPerson.objects.bulk_create(
                [EventPerson(event=event, person=p) for p in people], ignore_conflicts=True
            )
        EventRevision.objects.create(
            event=event,
            action=RevisionAction.CORRECTED,
            before=before,
            reason=reason,
            by=by,
            at=now,
        )
        affected = {p.pk: p for p in [*old_people, *new_people]}
        derived = [recompute(p, now=now) for p in affected.values()]
    warnings = [
        WARNINGS[code] % {"person": person.primary_name}
        for person, d in zip(affected.values(), derived, strict=True)
        for event_id, code in d.warnings
        if event_id == event.pk
    ]
    return Outcome([event], warnings=warnings)


def retract_event(event: Event, *, by: User, reason: str, now: datetime | None = None) -> bool:
    """Withdraw an event that did not happen; False if it already was. Kept, not deleted."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the event is retracted.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    with transaction.atomic():
        changed = Event.objects.filter(pk=event.pk, retracted_at__isnull=True).update(
            retracted_at=now, retracted_by=by, retraction_reason=reason
        )
        if not changed:
            return False
        EventRevision.objects.create(
            event=event,
            action=RevisionAction.RETRACTED,
            before=event.snapshot(),
            reason=reason,
            by=by,
            at=now,
        )
        for person in event.people.all():
            recompute(person, now=now)
    event.retracted_at, event.retracted_by, event.retraction_reason = now, by, reason
    return True


def state_of(person: Person) -> str:
    custody = Custody.objects.filter(person=person).first()
    return custody.state if custody else CustodyState.FREE


def attach(event: Event, clean: CleanFile, *, by: User) -> Attachment:
    """Store a cleaned file and attach it to the event."""
    return Attachment.store(clean, by=by, event=event)


def assign(episode: Episode, *, by: User, wanted: dict[str, User | None]) -> list[str]:
    """Make the episode's current lawyer and second coordinator the ``wanted`` ones.

    An assignment that changes is ended, not overwritten, so who worked on the case
    when stays visible. Returns the roles that changed.
    """
    now = timezone.now()
    changed = []
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        current = {a.role: a for a in episode.assignments.current()}
        for role, user in wanted.items():
            present = current.get(role)
            if present is not None and user is not None and present.user_id == user.pk:
                continue
            if present is None and user is None:
                continue
            if present is not None:
                Assignment.objects.filter(pk=present.pk).update(ended_at=now, ended_by=by)
            if user is not None:
                Assignment.objects.create(
                    episode=episode, user=user, role=role, assigned_by=by, assigned_at=now
                )
            changed.append(f"assignments.{role}")
    return changed
