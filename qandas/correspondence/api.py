"""API for correspondence: letters, promises, their slips, and keeping them.

The same gate as the pages: coordinators read, liaisons and admins read and write;
lawyers and analysts get 403; another organisation's record is a 404, the same as a
missing one. Linked people, applications and batches are only those the caller may
see. Every write is audited.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from qandas.accounts.models import Organisation, User
from qandas.applications.models import READERS, WRITERS, Application, Authority, Batch, Official
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.correspondence.models import (
    Direction,
    DuePrecision,
    Letter,
    Promise,
    PromiseQuerySet,
    PromiseState,
    Slip,
    resolve_due,
)
from qandas.correspondence.timeline import due_text
from qandas.correspondence.views import writing_organisation
from qandas.lib.access import editable_or_404, signed_in, visible_or_404
from qandas.lib.api import Body, Error, Page, Router, api_role_required
from qandas.people.models import Person

router = Router(tags=["correspondence"])


class Invalid(Exception):
    """A reference in a request that is not the caller's organisation's (answered 422)."""


# Schemas ----------------------------------------------------------------------------------


def _codes(obj: Any, attr: str) -> list[UUID]:
    return [o.code for o in getattr(obj, attr, [])]


class LetterOut(Schema):
    code: UUID
    direction: Direction
    dated_on: date
    authority: UUID
    official: UUID | None
    sender: str
    subject: str
    text: str
    reply_to: UUID | None
    people: list[UUID] = Field(description="The people of the letter you may see.")
    applications: list[UUID] = Field(description="The applications of the letter you may see.")
    batches: list[UUID]
    created_at: datetime

    @staticmethod
    def resolve_authority(obj: Letter) -> UUID:
        return obj.authority.code

    @staticmethod
    def resolve_official(obj: Letter) -> UUID | None:
        return obj.official.code if obj.official else None

    @staticmethod
    def resolve_reply_to(obj: Letter) -> UUID | None:
        return obj.reply_to.code if obj.reply_to else None

    @staticmethod
    def resolve_people(obj: Letter) -> list[UUID]:
        return _codes(obj, "shown_people")

    @staticmethod
    def resolve_applications(obj: Letter) -> list[UUID]:
        return _codes(obj, "shown_applications")

    @staticmethod
    def resolve_batches(obj: Letter) -> list[UUID]:
        return _codes(obj, "shown_batches")


class LetterDetailOut(LetterOut):
    thread: list[UUID] = Field(description="The whole exchange, oldest first.")
    promises: list[UUID]

    @staticmethod
    def resolve_thread(obj: Letter) -> list[UUID]:
        return [letter.code for letter in obj.thread()]

    @staticmethod
    def resolve_promises(obj: Letter) -> list[UUID]:
        return [p.code for p in obj.promises.order_by("due_on", "pk")]


class LetterIn(Body):
    direction: Direction
    dated_on: date
    authority: UUID
    official: UUID | None = None
    sender: str = Field("", max_length=200)
    subject: str = Field(..., min_length=1, max_length=300)
    text: str = ""
    reply_to: UUID | None = Field(None, description="The letter this one answers.")
    people: list[UUID] = []
    applications: list[UUID] = []
    batches: list[UUID] = []


class SlipOut(Schema):
    old_due_on: date
    old_precision: DuePrecision
    new_due_on: date
    new_precision: DuePrecision
    letter: UUID | None
    quote: str
    given_on: date
    at: datetime

    @staticmethod
    def resolve_letter(obj: Slip) -> UUID | None:
        return obj.letter.code if obj.letter else None


class PromiseOut(Schema):
    code: UUID
    state: PromiseState = Field(description="promised, kept, broken or repromised.")
    authority: UUID
    official: UUID | None
    letter: UUID | None
    meeting_on: date | None
    made_on: date
    quote: str
    due_on: date = Field(description="The last day it can be kept.")
    due_precision: DuePrecision
    due: str = Field(description="The due date as exact as it was given: 2026-12 for a month.")
    days_late: int
    slip_count: int
    kept_on: date | None
    applications: list[UUID]
    batches: list[UUID]
    created_at: datetime

    @staticmethod
    def resolve_authority(obj: Promise) -> UUID:
        return obj.authority.code

    @staticmethod
    def resolve_official(obj: Promise) -> UUID | None:
        return obj.official.code if obj.official else None

    @staticmethod
    def resolve_letter(obj: Promise) -> UUID | None:
        return obj.letter.code if obj.letter else None

    @staticmethod
    def resolve_due(obj: Promise) -> str:
        return due_text(obj.due_on, obj.due_precision)

    @staticmethod
    def resolve_applications(obj: Promise) -> list[UUID]:
        return _codes(obj, "shown_applications")

    @staticmethod
    def resolve_batches(obj: Promise) -> list[UUID]:
        return _codes(obj, "shown_batches")


class PromiseDetailOut(PromiseOut):
    slips: list[SlipOut]

    @staticmethod
    def resolve_slips(obj: Promise) -> list[Slip]:
        return list(obj.slips.select_related("letter"))


class PromiseIn(Body):
    letter: UUID | None = Field(None, description="The letter it was made in, or…")
    meeting_on: date | None = Field(None, description="…the day of the meeting.")
    authority: UUID | None = Field(None, description="Needed for a meeting; else the letter's.")
    official: UUID | None = None
    made_on: date | None = Field(None, description="Default: the letter's or meeting's date.")
    quote: str = Field(..., min_length=1)
    due_on: date = Field(..., description="For “in December”, any day of December…")
    due_precision: DuePrecision = Field(DuePrecision.DAY, description="…and “month”.")
    applications: list[UUID] = []
    batches: list[UUID] = []


class SlipIn(Body):
    due_on: date
    due_precision: DuePrecision = DuePrecision.DAY
    letter: UUID | None = Field(None, description="A later letter that gave the new date.")
    quote: str = ""
    given_on: date | None = Field(None, description="Default: the letter's date, or today.")


class KeptIn(Body):
    kept_on: date | None = Field(None, description="Default: today.")


class LetterFilter(Schema):
    authority: UUID | None = None
    direction: Direction | None = None


class PromiseFilter(Schema):
    state: PromiseState | None = None
    authority: UUID | None = None


# Helpers ----------------------------------------------------------------------------------


def _invalid(exc: ValidationError | Invalid) -> Status:
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return Status(422, {"detail": " ".join(str(m) for m in messages)})


def _letters(user: User) -> QuerySet[Letter]:
    return (
        Letter.objects.visible_to(user)
        .select_related("authority", "official", "reply_to")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.visible_to(user), to_attr="shown_people"),
            Prefetch(
                "applications",
                queryset=Application.objects.visible_to(user),
                to_attr="shown_applications",
            ),
            Prefetch("batches", queryset=Batch.objects.visible_to(user), to_attr="shown_batches"),
        )
    )


def _promises(user: User) -> PromiseQuerySet:
    return (
        Promise.objects.visible_to(user)
        .select_related("authority", "official", "letter")
        .prefetch_related(
            Prefetch(
                "applications",
                queryset=Application.objects.visible_to(user),
                to_attr="shown_applications",
            ),
            Prefetch("batches", queryset=Batch.objects.visible_to(user), to_attr="shown_batches"),
        )
    )


def _one(queryset: QuerySet[Any], code: UUID | None, what: str) -> Any:
    if code is None:
        return None
    found = queryset.filter(code=code).first()
    if found is None:
        raise Invalid(
            _("There is no %(what)s %(code)s in your organisation.")
            % {
                "what": what,
                "code": code,
            }
        )
    return found


def _many(queryset: QuerySet[Any], codes: list[UUID], what: str) -> list[Any]:
    wanted = set(codes)
    found = list(queryset.filter(code__in=wanted))
    if len(found) != len(wanted):
        missing = wanted - {o.code for o in found}
        raise Invalid(
            _("You may not link these %(what)s: %(codes)s.")
            % {"what": what, "codes": ", ".join(sorted(str(c) for c in missing))}
        )
    return found


def _letter_of(organisation: Organisation, user: User, code: UUID | None) -> Letter | None:
    if code is None:
        return None
    found = Letter.objects.visible_to(user).filter(organisation=organisation, code=code).first()
    if found is None:
        raise Invalid(_("That letter is not one of your organisation's."))
    return found


# Letters ----------------------------------------------------------------------------------


@router.get("/letters", response={200: list[LetterOut], 401: Error, 403: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_letters(request: HttpRequest, filters: Query[LetterFilter]) -> Any:
    """Letters of your organisation, newest first; ``authority=CODE``, ``direction=in``."""
    letters = _letters(signed_in(request))
    if filters.authority is not None:
        letters = letters.filter(authority__code=filters.authority)
    if filters.direction is not None:
        letters = letters.filter(direction=filters.direction)
    return letters.order_by("-dated_on", "-created_at", "-pk")


@router.post("/letters", response={201: LetterDetailOut, 401: Error, 403: Error, 422: Error})
@api_role_required(*WRITERS)
def create_letter(request: HttpRequest, payload: LetterIn) -> Any:
    """Record a letter sent or received; ``reply_to`` must be your organisation's letter."""
    user = signed_in(request)
    organisation = writing_organisation(user)
    try:
        authority = _one(
            Authority.objects.filter(organisation=organisation), payload.authority, "authority"
        )
        official = _one(
            Official.objects.filter(authority__organisation=organisation),
            payload.official,
            "official",
        )
        reply_to = _letter_of(organisation, user, payload.reply_to)
        people = _many(
            Person.objects.visible_to(user).filter(organisation=organisation),
            payload.people,
            "people",
        )
        applications = _many(
            Application.objects.visible_to(user).filter(organisation=organisation),
            payload.applications,
            "applications",
        )
        batches = _many(
            Batch.objects.visible_to(user).filter(organisation=organisation),
            payload.batches,
            "batches",
        )
        letter = Letter(
            organisation=organisation,
            direction=payload.direction,
            dated_on=payload.dated_on,
            authority=authority,
            official=official,
            sender=payload.sender,
            subject=payload.subject,
            text=payload.text,
            reply_to=reply_to,
            created_by=user,
        )
        letter.full_clean()
    except (ValidationError, Invalid) as exc:
        return _invalid(exc)
    with transaction.atomic():
        letter.save()
        letter.people.set(people)
        letter.applications.set(applications)
        letter.batches.set(batches)
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=letter,
            fields=[name for name, value in payload.dict().items() if value not in (None, "", [])],
        )
    return Status(201, _letters(user).get(pk=letter.pk))


@router.get("/letters/{code}", response={200: LetterDetailOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*READERS)
def get_letter(request: HttpRequest, code: UUID) -> Any:
    """A letter, with its whole thread and the promises made in it."""
    user = signed_in(request)
    letter = visible_or_404(Letter, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=letter)
    return _letters(user).get(pk=letter.pk)


# Promises ---------------------------------------------------------------------------------


@router.get("/promises", response={200: list[PromiseOut], 401: Error, 403: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_promises(request: HttpRequest, filters: Query[PromiseFilter]) -> Any:
    """Promises, worst first: broken (longest late first), then due soonest; kept last.
    ``state=broken|promised|kept|repromised``, ``authority=CODE``."""
    promises = _promises(signed_in(request))
    if filters.state is not None:
        promises = promises.in_state(filters.state)
    if filters.authority is not None:
        promises = promises.filter(authority__code=filters.authority)
    return promises.worst_first()


@router.post("/promises", response={201: PromiseDetailOut, 401: Error, 403: Error, 422: Error})
@api_role_required(*WRITERS)
def create_promise(request: HttpRequest, payload: PromiseIn) -> Any:
    """Record a promise from a ``letter`` or from a meeting (``meeting_on`` and
    ``authority``). ``due_precision=month`` makes any day of the month mean its end."""
    user = signed_in(request)
    organisation = writing_organisation(user)
    try:
        letter = _letter_of(organisation, user, payload.letter)
        if letter is not None:
            authority = letter.authority
        elif payload.authority is None:
            raise Invalid(_("Say which authority made the promise."))
        else:
            authority = _one(
                Authority.objects.filter(organisation=organisation),
                payload.authority,
                "authority",
            )
        official = _one(
            Official.objects.filter(authority__organisation=organisation),
            payload.official,
            "official",
        )
        applications = _many(
            Application.objects.visible_to(user).filter(organisation=organisation),
            payload.applications,
            "applications",
        )
        batches = _many(
            Batch.objects.visible_to(user).filter(organisation=organisation),
            payload.batches,
            "batches",
        )
        made_on = payload.made_on or (letter.dated_on if letter else payload.meeting_on)
        if made_on is None:
            raise Invalid(_("Say which letter or meeting it comes from."))
        promise = Promise(
            organisation=organisation,
            authority=authority,
            official=official,
            letter=letter,
            meeting_on=payload.meeting_on,
            made_on=made_on,
            quote=payload.quote,
            due_on=resolve_due(payload.due_on, payload.due_precision),
            due_precision=payload.due_precision,
            created_by=user,
        )
        promise.full_clean()
    except (ValidationError, Invalid) as exc:
        return _invalid(exc)
    with transaction.atomic():
        promise.save()
        promise.applications.set(applications)
        promise.batches.set(batches)
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=promise,
            fields=[name for name, value in payload.dict().items() if value not in (None, "", [])],
        )
    return Status(201, _promises(user).get(pk=promise.pk))


@router.get(
    "/promises/{code}", response={200: PromiseDetailOut, 401: Error, 403: Error, 404: Error}
)
@api_role_required(*READERS)
def get_promise(request: HttpRequest, code: UUID) -> Any:
    """A promise with every slip: old date, new date, in which letter, their words."""
    user = signed_in(request)
    promise = visible_or_404(Promise, user, code)
    return _promises(user).get(pk=promise.pk)


@router.post(
    "/promises/{code}/slips",
    response={201: PromiseDetailOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*WRITERS)
def slip_promise(request: HttpRequest, code: UUID, payload: SlipIn) -> Any:
    """A new date for the promise; the old one is kept as a slip and counted."""
    user = signed_in(request)
    promise = editable_or_404(Promise, user, code)
    try:
        letter = _letter_of(promise.organisation, user, payload.letter)
        promise.slip(
            payload.due_on,
            precision=payload.due_precision,
            by=user,
            letter=letter,
            quote=payload.quote,
            on=payload.given_on,
        )
    except (ValidationError, Invalid) as exc:
        return _invalid(exc)
    record(
        Verb.UPDATE,
        actor=user,
        request=request,
        obj=promise,
        fields=["due_on", "due_precision", "slip_count"],
    )
    return Status(201, _promises(user).get(pk=promise.pk))


@router.post(
    "/promises/{code}/kept",
    response={200: PromiseDetailOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*WRITERS)
def keep_promise(request: HttpRequest, code: UUID, payload: KeptIn) -> Any:
    """Mark the promise as kept (``kept_on``, default today)."""
    user = signed_in(request)
    promise = editable_or_404(Promise, user, code)
    kept_on = payload.kept_on or timezone.localdate()
    if kept_on > timezone.localdate():
        return Status(422, {"detail": _("It cannot be kept in the future.")})
    try:
        promise.keep(kept_on, by=user)
    except ValidationError as exc:
        return _invalid(exc)
    record(Verb.UPDATE, actor=user, request=request, obj=promise, fields=["kept_on"])
    return _promises(user).get(pk=promise.pk)
