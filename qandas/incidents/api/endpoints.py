"""API for custody: places, events, arrests, episodes, the board and its alarms.

The same gate as the pages: custody records are for coordinators, lawyers and
admins (liaisons and analysts get 403), scoped to the people each may see; another
organisation's record is a 404, the same as a missing one. Every change goes
through the verbs in ``actions`` and is audited.
"""

import uuid
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from qandas.accounts.models import City, Role, User
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.incidents import actions
from qandas.incidents.api.schemas import (
    AlarmOut,
    ArrestIn,
    ArrestOut,
    BoardFilter,
    BoardOut,
    EpisodeFilter,
    EpisodeOut,
    EventDetailOut,
    EventFilter,
    EventIn,
    EventOut,
    EventPatch,
    PlaceIn,
    PlaceOut,
    RetractIn,
)
from qandas.incidents.board import board, record_board_view
from qandas.incidents.models import (
    Acknowledgement,
    Alarm,
    Assignment,
    Episode,
    Event,
    EventRevision,
    Place,
    PlaceKind,
    custody_people,
)
from qandas.incidents.models.custody import EpisodeQuerySet
from qandas.incidents.models.places import CUSTODY_READERS, CUSTODY_WRITERS, DETENTION_KINDS
from qandas.lib.access import editable_or_404, signed_in, visible_or_404
from qandas.lib.api import Error, Page, Router, api_role_required
from qandas.people.models import Household, Person

router = Router(tags=["custody"])

PLACE_EDITORS = (Role.COORDINATOR, Role.ADMIN)
# Fields that must keep a value when an event is corrected (null is refused).
REQUIRED_ON_CORRECTION = (
    "kind",
    "occurred_at",
    "precision",
    "source",
    "reliability",
    "document_shown",
    "people",
)
# Fields whose "nothing" is the empty string in the database.
BLANK_WHEN_NULL = (
    "source_detail",
    "notes",
    "asked_by",
    "answer",
    "channel",
    "reported_location",
)


# Helpers --------------------------------------------------------------------------------------


def _invalid(exc: ValidationError) -> Status:
    return Status(422, {"detail": " ".join(str(m) for m in exc.messages)})


def _events(user: User) -> QuerySet[Event]:
    """Events with what their answer needs; ``people`` only those the user may see."""
    return Event.objects.select_related("place", "household").prefetch_related(
        Prefetch("people", queryset=custody_people(user).order_by("pk"), to_attr="shown_people"),
        Prefetch("revisions", queryset=EventRevision.objects.select_related("by")),
    )


def _event(user: User, pk: int, warnings: list[str] | None = None) -> Event:
    event = _events(user).get(pk=pk)
    event.api_warnings = warnings or []  # type: ignore[attr-defined]
    return event


def _episodes() -> EpisodeQuerySet:
    return Episode.objects.select_related("person", "place").prefetch_related(
        "searched_places",
        Prefetch("assignments", queryset=Assignment.objects.select_related("user")),
        Prefetch("alarms", queryset=Alarm.objects.prefetch_related("acknowledgements__user")),
    )


def _writable_people(user: User, codes: list[UUID]) -> list[Person]:
    """These people, if the user may record custody events for each; else 404 (403 if
    they may see them all but not record for some, such as a redacted person)."""
    wanted = set(codes)
    found = list(custody_people(user, write=True).filter(code__in=wanted).order_by("pk"))
    if len(found) != len(wanted):
        if custody_people(user).filter(code__in=wanted).count() == len(wanted):
            raise PermissionDenied
        raise Http404
    return found


def _place(user: User, code: UUID | None) -> Place | None:
    if code is None:
        return None
    return visible_or_404(Place, user, code)


def _idempotency_key(request: HttpRequest, *, required: bool = False) -> UUID | None:
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        if required:
            raise HttpError(400, _("Send an Idempotency-Key header (a UUID) with every arrest."))
        return None
    try:
        return UUID(raw)
    except ValueError as exc:
        raise HttpError(400, _("Idempotency-Key must be a UUID.")) from exc


def _earlier(user: User, key: UUID) -> Event | None:
    """The event recorded earlier with this key, if any; 400 if it is not one of yours."""
    earlier = Event.objects.filter(idempotency_key=key).first()
    if earlier is not None and not Event.objects.visible_to(user).filter(pk=earlier.pk).exists():
        raise HttpError(400, _("This Idempotency-Key was already used."))
    return earlier


def _event_values(given: dict[str, Any]) -> dict[str, Any]:
    """API values as ``actions`` takes them (no people, no place)."""
    values = {k: v for k, v in given.items() if k in actions.EVENT_FIELDS and k != "place"}
    for name in BLANK_WHEN_NULL:
        if name in values and values[name] is None:
            values[name] = ""
    return values


# Places ---------------------------------------------------------------------------------------


@router.get("/places", response={200: list[PlaceOut], 401: Error, 403: Error})
@api_role_required(*CUSTODY_READERS)
@paginate(Page)
def list_places(request: HttpRequest) -> Any:
    """The places of your organisation: stations, courts, prisons, crossings, cities."""
    return (
        Place.objects.visible_to(signed_in(request))
        .select_related("city")
        .order_by("kind", "name", "pk")
    )


@router.post("/places", response={201: PlaceOut, 401: Error, 403: Error, 422: Error})
@api_role_required(*PLACE_EDITORS)
def create_place(request: HttpRequest, payload: PlaceIn) -> Any:
    """Add a place to your organisation's list (coordinators and admins)."""
    user = signed_in(request)
    membership = user.scope().filter(role__in=PLACE_EDITORS).order_by("pk").first()
    if membership is None:
        raise PermissionDenied
    city = None
    if payload.city:
        city = City.objects.filter(slug=payload.city).first()
        if city is None:
            return Status(422, {"detail": _("There is no city “%s”.") % payload.city})
    organisation_id = membership.organisation_id
    duplicate = _("Your organisation already has a %(kind)s called “%(name)s”.") % {
        "kind": PlaceKind(payload.kind).label.lower(),
        "name": payload.name,
    }
    if Place.objects.filter(
        organisation_id=organisation_id, kind=payload.kind, name=payload.name
    ).exists():
        return Status(422, {"detail": duplicate})
    place = Place(
        organisation_id=organisation_id,
        kind=payload.kind,
        name=payload.name,
        city=city,
        admin_code=payload.admin_code,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    if (place.latitude is None) != (place.longitude is None):
        return Status(422, {"detail": _("Give both latitude and longitude, or neither.")})
    try:
        with transaction.atomic():
            place.save()
            record(
                Verb.CREATE,
                actor=user,
                request=request,
                obj=place,
                fields=sorted(payload.dict(exclude_unset=True)),
            )
    except IntegrityError:
        return Status(422, {"detail": duplicate})
    return Status(201, Place.objects.select_related("city").get(pk=place.pk))


@router.get("/places/{code}", response={200: PlaceOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*CUSTODY_READERS)
def get_place(request: HttpRequest, code: UUID) -> Any:
    return visible_or_404(Place, signed_in(request), code)


# Events ---------------------------------------------------------------------------------------


@router.get("/events", response={200: list[EventOut], 401: Error, 403: Error})
@api_role_required(*CUSTODY_READERS)
@paginate(Page)
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> Any:
    """Events about people you may see, newest first; ``person=CODE``, ``kind=arrest``."""
    user = signed_in(request)
    events = _events(user).filter(pk__in=Event.objects.visible_to(user).values("pk"))
    if filters.person is not None:
        events = events.filter(involvements__person__code=filters.person)
    if filters.kind is not None:
        events = events.filter(kind=filters.kind)
    return events.order_by("-occurred_at", "-pk")


@router.post(
    "/events",
    response={
        200: EventOut,
        201: EventOut,
        400: Error,
        401: Error,
        403: Error,
        404: Error,
        422: Error,
    },
)
@api_role_required(*CUSTODY_WRITERS)
def create_event(request: HttpRequest, payload: EventIn) -> Any:
    """Record an event for one or more people whose custody records you may keep.

    Send an ``Idempotency-Key`` header (a UUID) to make retries safe: a repeat with
    the same key answers 200 with the event the first request recorded. An impossible
    event (in the future, a release before the arrest) is refused with 422; an odd
    one is saved and answered with ``warnings``.
    """
    user = signed_in(request)
    people = _writable_people(user, payload.people)
    place = _place(user, payload.place)
    key = _idempotency_key(request)
    if key is not None:
        earlier = _earlier(user, key)
        if earlier is not None:
            return Status(200, _event(user, earlier.pk))
    try:
        outcome = actions.record_event(
            by=user,
            people=people,
            idempotency_key=key,
            place=place,
            **_event_values(payload.dict()),
        )
    except ValidationError as exc:
        return _invalid(exc)
    event = outcome.events[0]
    if not outcome.created:
        return Status(200, _event(user, event.pk))
    record(
        Verb.CREATE,
        actor=user,
        request=request,
        obj=event,
        fields=sorted({"kind", "people", "occurred_at", *payload.dict(exclude_unset=True)}),
    )
    return Status(201, _event(user, event.pk, outcome.warnings))


@router.get("/events/{code}", response={200: EventDetailOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*CUSTODY_READERS)
def get_event(request: HttpRequest, code: UUID) -> Any:
    """An event, with its corrections and retraction (``revisions``)."""
    user = signed_in(request)
    event = visible_or_404(Event, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=event)
    return _event(user, event.pk)


@router.patch(
    "/events/{code}",
    response={200: EventDetailOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*CUSTODY_WRITERS)
def correct_event(request: HttpRequest, code: UUID, payload: EventPatch) -> Any:
    """Correct an event: send the fields that change and a ``reason``. The earlier
    values are kept as a revision; a retracted event cannot be corrected."""
    user = signed_in(request)
    event = editable_or_404(Event, user, code)
    given = payload.dict(exclude_unset=True)
    reason = given.pop("reason")
    empty = sorted(name for name in REQUIRED_ON_CORRECTION if name in given and given[name] is None)
    if empty:
        return Status(422, {"detail": _("These cannot be empty: %s.") % ", ".join(empty)})
    people = None
    if "people" in given:
        people = _writable_people(user, given["people"])
    values = _event_values(given)
    if "place" in given:
        values["place"] = _place(user, given["place"])
    if event.is_retracted:
        return Status(422, {"detail": _("A retracted event cannot be corrected.")})
    try:
        outcome = actions.correct_event(event, by=user, reason=reason, people=people, **values)
    except ValidationError as exc:
        return _invalid(exc)
    record(Verb.UPDATE, actor=user, request=request, obj=event, fields=sorted(given))
    return _event(user, event.pk, outcome.warnings)


@router.post(
    "/events/{code}/retract",
    response={200: EventDetailOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*CUSTODY_WRITERS)
def retract_event(request: HttpRequest, code: UUID, payload: RetractIn) -> Any:
    """Withdraw an event that did not happen. It stays on record; custody is derived
    again without it. Retracting an already retracted event changes nothing."""
    user = signed_in(request)
    event = editable_or_404(Event, user, code)
    try:
        changed = actions.retract_event(event, by=user, reason=payload.reason)
    except ValidationError as exc:
        return _invalid(exc)
    if changed:
        record(
            Verb.UPDATE,
            actor=user,
            request=request,
            obj=event,
            fields=["retracted_at", "retraction_reason"],
        )
    return _event(user, event.pk)


# Arrests --------------------------------------------------------------------------------------


@router.post(
    "/arrests",
    response={
        200: ArrestOut,
        201: ArrestOut,
        400: Error,
        401: Error,
        403: Error,
        404: Error,
        422: Error,
    },
)
@api_role_required(*CUSTODY_WRITERS)
def record_arrest(request: HttpRequest, payload: ArrestIn) -> Any:
    """A raid on a household and the arrest of the people taken, in one go.

    The ``Idempotency-Key`` header (a UUID) is required: a repeat with the same key
    records nothing and answers 200 with the events the first request recorded.
    """
    user = signed_in(request)
    writable = custody_people(user, write=True)
    household = Household.objects.filter(members__in=writable, code=payload.household).first()
    if household is None:
        raise Http404
    people = _writable_people(user, payload.people)
    if any(p.household_id != household.pk for p in people):
        return Status(422, {"detail": _("Everyone arrested must belong to the household raided.")})
    place = _place(user, payload.place)
    if place is not None and place.kind not in DETENTION_KINDS:
        return Status(
            422, {"detail": _("Choose a police station, prison or court as the place taken to.")}
        )
    key = _idempotency_key(request, required=True)
    assert key is not None
    keys = [uuid.uuid5(key, "raid"), key]
    if _earlier(user, key) is not None:
        earlier = _events(user).filter(idempotency_key__in=keys).order_by("pk")
        return Status(200, {"events": list(earlier), "warnings": []})
    try:
        outcome = actions.record_arrest(
            by=user,
            household=household,
            people=people,
            occurred_at=payload.occurred_at,
            place=place,
            document_shown=payload.document_shown,
            idempotency_key=key,
            source=payload.source,
            notes=payload.notes,
        )
    except ValidationError as exc:
        return _invalid(exc)
    if not outcome.created:
        earlier = _events(user).filter(idempotency_key__in=keys).order_by("pk")
        return Status(200, {"events": list(earlier), "warnings": []})
    for event in outcome.events:
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=event,
            fields=["kind", "people", "occurred_at", "place", "document_shown"],
        )
    events = list(_events(user).filter(pk__in=[e.pk for e in outcome.events]).order_by("pk"))
    return Status(201, {"events": events, "warnings": [str(w) for w in outcome.warnings]})


# Episodes -------------------------------------------------------------------------------------


@router.get("/episodes", response={200: list[EpisodeOut], 401: Error, 403: Error})
@api_role_required(*CUSTODY_READERS)
@paginate(Page)
def list_episodes(request: HttpRequest, filters: Query[EpisodeFilter]) -> Any:
    """Custody episodes of people you may see, newest first; ``person=CODE``, ``open=true``."""
    episodes = _episodes().visible_to(signed_in(request))
    if filters.person is not None:
        episodes = episodes.filter(person__code=filters.person)
    if filters.open is not None:
        episodes = episodes.filter(closed_at__isnull=filters.open)
    return episodes.order_by("-opened_at", "-pk")


@router.get("/episodes/{code}", response={200: EpisodeOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*CUSTODY_READERS)
def get_episode(request: HttpRequest, code: UUID) -> Any:
    user = signed_in(request)
    episode = visible_or_404(Episode, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=episode)
    return _episodes().get(pk=episode.pk)


# Board and alarms -----------------------------------------------------------------------------


@router.get("/custody-board", response={200: BoardOut, 401: Error, 403: Error, 422: Error})
@api_role_required(*CUSTODY_READERS)
def custody_board(request: HttpRequest, filters: Query[BoardFilter]) -> Any:
    """Everyone in custody, missing or out of contact whom you may see, most urgent
    first, with their open alarms. ``city=karachi`` for one city."""
    user = signed_in(request)
    city = None
    if filters.city:
        city = City.objects.filter(slug=filters.city).first()
        if city is None:
            return Status(422, {"detail": _("There is no city “%s”.") % filters.city})
    entries = board(user, city=city)
    record_board_view(request, user)
    results = [
        {
            "person": entry.person.code,
            "state": entry.state,
            "since": entry.since,
            "episode": entry.episode.code if entry.episode else None,
            "place": entry.place,
            "searched_places": entry.searched,
            "alarms": entry.alarms,
        }
        for entry in entries
    ]
    return {"count": len(results), "results": results}


@router.post(
    "/alarms/{code}/acknowledge", response={200: AlarmOut, 401: Error, 403: Error, 404: Error}
)
@api_role_required(*CUSTODY_WRITERS)
def acknowledge_alarm(request: HttpRequest, code: UUID) -> Any:
    """I have seen this alarm and I am on it. Once per person; repeating is harmless."""
    user = signed_in(request)
    alarm = editable_or_404(Alarm, user, code)
    _ack, created = Acknowledgement.objects.get_or_create(alarm=alarm, user=user)
    if created:
        record(Verb.UPDATE, actor=user, request=request, obj=alarm, fields=["acknowledgements"])
    return Alarm.objects.prefetch_related("acknowledgements__user").get(pk=alarm.pk)
