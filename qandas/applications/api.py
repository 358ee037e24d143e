"""API for applications: authorities and officials, applications and moves, batches.

The same gate as the pages: coordinators read (their cities' people), liaisons and
admins read and write the organisation's; lawyers and analysts get 403; another
organisation's record is a 404, the same as a missing one. Every write is audited.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus
from pydantic import Field

from qandas.accounts.models import Organisation, User
from qandas.applications.models import (
    READERS,
    WRITERS,
    Application,
    ApplicationKind,
    ApplicationQuerySet,
    Authority,
    AuthorityKind,
    Batch,
    Official,
    Status,
    StatusChange,
    TransitionError,
)
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.lib.access import editable_or_404, signed_in, visible_or_404
from qandas.lib.api import Body, Error, Page, Router, api_role_required
from qandas.people.models import Household, Person, scope_filter

router = Router(tags=["applications"])


# Schemas --------------------------------------------------------------------------------------


class AuthorityIn(Body):
    kind: AuthorityKind
    name: str = Field(..., min_length=1, max_length=200)
    country: str = Field("", max_length=100)


class AuthorityOut(Schema):
    code: UUID
    kind: AuthorityKind
    name: str
    country: str
    created_at: datetime


class OfficialIn(Body):
    name: str = Field(..., min_length=1, max_length=200)
    post: str = Field(..., min_length=1, max_length=200)
    from_on: date | None = None
    until_on: date | None = None
    replaces: UUID | None = Field(
        None, description="The official this one replaces: their time in office ends on from_on."
    )


class OfficialOut(Schema):
    code: UUID
    authority: UUID
    name: str
    post: str
    from_on: date | None
    until_on: date | None

    @staticmethod
    def resolve_authority(obj: Official) -> UUID:
        return obj.authority.code


class StatusChangeOut(Schema):
    old: Status
    new: Status
    at: datetime
    by: str
    note: str
    batch: UUID | None

    @staticmethod
    def resolve_by(obj: StatusChange) -> str:
        return str(obj.by.username)

    @staticmethod
    def resolve_batch(obj: StatusChange) -> UUID | None:
        return obj.batch.code if obj.batch is not None else None


class ApplicationOut(Schema):
    code: UUID
    kind: ApplicationKind
    person: UUID | None
    household: UUID | None
    authority: UUID
    reference: str
    submitted_on: date | None
    expected_decision_on: date | None
    decided_on: date | None
    status: Status
    status_changed_at: datetime
    overdue: bool
    batch: UUID | None
    notes: str
    created_at: datetime

    @staticmethod
    def resolve_person(obj: Application) -> UUID | None:
        return obj.person.code if obj.person is not None else None

    @staticmethod
    def resolve_household(obj: Application) -> UUID | None:
        return obj.household.code if obj.household is not None else None

    @staticmethod
    def resolve_authority(obj: Application) -> UUID:
        return obj.authority.code

    @staticmethod
    def resolve_batch(obj: Application) -> UUID | None:
        return obj.batch.code if obj.batch is not None else None

    @staticmethod
    def resolve_overdue(obj: Application) -> bool:
        return obj.is_overdue


class ApplicationDetailOut(ApplicationOut):
    history: list[StatusChangeOut]

    @staticmethod
    def resolve_history(obj: Application) -> list[StatusChange]:
        return list(obj.history.all())


class ApplicationIn(Body):
    kind: ApplicationKind
    person: UUID | None = Field(None, description="A person code; or give household.")
    household: UUID | None = Field(None, description="A household code; or give person.")
    authority: UUID
    reference: str = Field("", max_length=100)
    submitted_on: date | None = None
    expected_decision_on: date | None = None
    batch: UUID | None = None
    notes: str = ""


class ApplicationFilter(Schema):
    status: Status | None = None
    kind: ApplicationKind | None = None
    batch: UUID | None = None
    person: UUID | None = None
    overdue: bool | None = None


class MoveIn(Body):
    status: Status
    note: str = Field("", max_length=500)
    expected: Status | None = Field(
        None,
        description="The status you saw. If the application moved since, nothing changes: 409.",
    )


class BatchIn(Body):
    name: str = Field(..., min_length=1, max_length=300)
    authority: UUID | None = None
    sent_on: date | None = None
    notes: str = ""


class BatchOut(Schema):
    code: UUID
    name: str
    authority: UUID | None
    sent_on: date | None
    notes: str
    created_at: datetime

    @staticmethod
    def resolve_authority(obj: Batch) -> UUID | None:
        return obj.authority.code if obj.authority is not None else None


class BatchDetailOut(BatchOut):
    applications: list[UUID] = Field(description="The batch's applications you may see.")
    counts: dict[str, int] = Field(description="How many of those are in each status.")

    @staticmethod
    def resolve_applications(obj: Batch) -> list[UUID]:
        return list(getattr(obj, "shown_codes", []))


class BatchMoveIn(Body):
    status: Status
    note: str = Field("", max_length=500)


class BatchMoveOut(Schema):
    moved: int
    skipped: list[UUID]


# Helpers --------------------------------------------------------------------------------------


def _unprocessable(message: str) -> HttpStatus:
    return HttpStatus(422, {"detail": message})


def _writer_organisation(user: User) -> Organisation:
    membership = user.scope().filter(role__in=WRITERS).order_by("pk").first()
    if membership is None:
        raise PermissionDenied
    return membership.organisation


def _applications() -> ApplicationQuerySet:
    return Application.objects.select_related("person", "household", "authority", "batch")


def _detail(pk: int) -> Application:
    return (
        _applications()
        .prefetch_related(
            Prefetch("history", queryset=StatusChange.objects.select_related("by", "batch"))
        )
        .get(pk=pk)
    )


def _party(user: User, payload: ApplicationIn) -> Person | Household:
    """The person or household the new application is for: 404 if unseen, 403 if the
    user may read but not write its applications."""
    if (payload.person is None) == (payload.household is None):
        raise _Refusal(_("Give either a person or a household, not both and not neither."))
    model: Any = Person if payload.person is not None else Household
    code = payload.person or payload.household
    city_field = "current_city" if model is Person else "city"
    writable = model.objects.filter(scope_filter(user, city_field=city_field, roles=WRITERS))
    party = writable.filter(code=code).first()
    if isinstance(party, Person) and party.is_redacted:
        raise PermissionDenied
    if party is None:
        readable = model.objects.filter(scope_filter(user, city_field=city_field, roles=READERS))
        if readable.filter(code=code).exists():
            raise PermissionDenied
        raise Http404
    return party


class _Refusal(Exception):
    """A request the API answers with 422 and this message."""


# Authorities and officials --------------------------------------------------------------------


@router.get("/authorities", response={200: list[AuthorityOut], 401: Error, 403: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_authorities(request: HttpRequest) -> Any:
    """The authorities of your organisation, by name."""
    return Authority.objects.visible_to(signed_in(request)).order_by("name", "pk")


@router.post("/authorities", response={201: AuthorityOut, 401: Error, 403: Error, 422: Error})
@api_role_required(*WRITERS)
def create_authority(request: HttpRequest, payload: AuthorityIn) -> Any:
    """Add an embassy, ministry, police force or court (liaisons and admins)."""
    user = signed_in(request)
    organisation = _writer_organisation(user)
    duplicate = _("Your organisation already has an authority called “%s”.") % payload.name
    if Authority.objects.filter(organisation=organisation, name__iexact=payload.name).exists():
        return _unprocessable(duplicate)
    authority = Authority(organisation=organisation, **payload.dict())
    try:
        with transaction.atomic():
            authority.save()
            record(
                Verb.CREATE,
                actor=user,
                request=request,
                obj=authority,
                fields=sorted(payload.dict(exclude_unset=True)),
            )
    except IntegrityError:
        return _unprocessable(duplicate)
    return HttpStatus(201, authority)


@router.get("/authorities/{code}", response={200: AuthorityOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*READERS)
def get_authority(request: HttpRequest, code: UUID) -> Any:
    return visible_or_404(Authority, signed_in(request), code)


@router.get(
    "/authorities/{code}/officials",
    response={200: list[OfficialOut], 401: Error, 403: Error, 404: Error},
)
@api_role_required(*READERS)
@paginate(Page)
def list_officials(request: HttpRequest, code: UUID) -> Any:
    """Everyone who held a post in this authority, current and past."""
    authority = visible_or_404(Authority, signed_in(request), code)
    return authority.officials.select_related("authority").order_by("post", "-from_on", "pk")


@router.post(
    "/authorities/{code}/officials",
    response={201: OfficialOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*WRITERS)
def create_official(request: HttpRequest, code: UUID, payload: OfficialIn) -> Any:
    """Add who holds a post. With ``replaces``, that official's time in office ends on
    the new one's ``from_on`` (a new minister is a new official)."""
    user = signed_in(request)
    authority = editable_or_404(Authority, user, code)
    if payload.from_on and payload.until_on and payload.until_on < payload.from_on:
        return _unprocessable(_("The time in office cannot end before it begins."))
    replaced = None
    if payload.replaces is not None:
        replaced = authority.officials.filter(code=payload.replaces).first()
        if replaced is None:
            return _unprocessable(_("The official replaced must be one of this authority's."))
        if payload.from_on is None:
            return _unprocessable(_("Say from when the new official holds the post (from_on)."))
        if replaced.from_on and replaced.from_on > payload.from_on:
            return _unprocessable(_("The new official cannot start before the one they replace."))
    values = payload.dict(exclude={"replaces"})
    official = Official(authority=authority, **values)
    with transaction.atomic():
        official.save()
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=official,
            organisation=authority.organisation,
            fields=sorted(k for k in payload.dict(exclude_unset=True) if k != "replaces"),
        )
        if replaced is not None:
            replaced.until_on = payload.from_on
            replaced.save(update_fields=["until_on"])
            record(
                Verb.UPDATE,
                actor=user,
                request=request,
                obj=replaced,
                organisation=authority.organisation,
                fields=["until_on"],
            )
    return HttpStatus(201, official)


# Applications ---------------------------------------------------------------------------------


@router.get("/applications", response={200: list[ApplicationOut], 401: Error, 403: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilter]) -> Any:
    """Applications of people and households you may see, newest first. Filters:
    ``status``, ``kind``, ``batch=CODE``, ``person=CODE``, ``overdue=true``."""
    applications = _applications().visible_to(signed_in(request))
    if filters.status is not None:
        applications = applications.filter(status=filters.status)
    if filters.kind is not None:
        applications = applications.filter(kind=filters.kind)
    if filters.batch is not None:
        applications = applications.filter(batch__code=filters.batch)
    if filters.person is not None:
        applications = applications.filter(person__code=filters.person)
    if filters.overdue:
        applications = applications.overdue()
    return applications.order_by("-created_at", "-pk")


@router.post(
    "/applications",
    response={201: ApplicationDetailOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*WRITERS)
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    """A new application (status ``draft``) for a ``person`` or a whole ``household``."""
    user = signed_in(request)
    try:
        party = _party(user, payload)
    except _Refusal as exc:
        return _unprocessable(str(exc))
    organisation_id = party.organisation_id
    authority = (
        Authority.objects.editable_by(user)
        .filter(organisation_id=organisation_id, code=payload.authority)
        .first()
    )
    if authority is None:
        return _unprocessable(_("There is no such authority in the organisation."))
    batch = None
    if payload.batch is not None:
        batch = (
            Batch.objects.editable_by(user)
            .filter(organisation_id=organisation_id, code=payload.batch)
            .first()
        )
        if batch is None:
            return _unprocessable(_("There is no such batch in the organisation."))
    if (
        payload.submitted_on
        and payload.expected_decision_on
        and payload.expected_decision_on < payload.submitted_on
    ):
        return _unprocessable(_("The decision cannot be expected before submission."))
    application = Application(
        organisation_id=organisation_id,
        person=party if isinstance(party, Person) else None,
        household=party if isinstance(party, Household) else None,
        authority=authority,
        batch=batch,
        kind=payload.kind,
        reference=payload.reference,
        submitted_on=payload.submitted_on,
        expected_decision_on=payload.expected_decision_on,
        notes=payload.notes,
        created_by=user,
    )
    with transaction.atomic():
        application.save()
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=application,
            fields=sorted({"kind", "authority", "status", *payload.dict(exclude_unset=True)}),
        )
    return HttpStatus(201, _detail(application.pk))


@router.get(
    "/applications/{code}",
    response={200: ApplicationDetailOut, 401: Error, 403: Error, 404: Error},
)
@api_role_required(*READERS)
def get_application(request: HttpRequest, code: UUID) -> Any:
    """An application with its full ``history`` of moves."""
    user = signed_in(request)
    application = visible_or_404(Application, user, code)
    record(Verb.VIEW, actor=user, request=request, obj=application)
    return _detail(application.pk)


@router.post(
    "/applications/{code}/moves",
    response={201: StatusChangeOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
)
@api_role_required(*WRITERS)
def move_application(request: HttpRequest, code: UUID, payload: MoveIn) -> Any:
    """Move the application along the pipeline. Send ``expected`` (the status you saw):
    if someone moved it since, nothing changes and the answer is 409. A move the
    pipeline does not allow is 422."""
    user = signed_in(request)
    application = editable_or_404(Application, user, code)
    try:
        change = application.move_to(
            payload.status, by=user, note=payload.note, expected=payload.expected
        )
    except TransitionError as exc:
        return HttpStatus(409 if exc.conflict else 422, {"detail": str(exc)})
    record(Verb.UPDATE, actor=user, request=request, obj=application, fields=["status"])
    return HttpStatus(201, StatusChange.objects.select_related("by", "batch").get(pk=change.pk))


# Batches --------------------------------------------------------------------------------------


def _batch_detail(user: User, batch: Batch) -> Batch:
    """The batch with the codes of its applications the user may see, and their counts."""
    shown = Application.objects.visible_to(user).filter(batch=batch).order_by("pk")
    counts: dict[str, int] = {}
    codes = []
    for code, status in shown.values_list("code", "status"):
        codes.append(code)
        counts[status] = counts.get(status, 0) + 1
    batch.shown_codes, batch.counts = codes, counts  # type: ignore[attr-defined]
    return batch


@router.get("/batches", response={200: list[BatchOut], 401: Error, 403: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_batches(request: HttpRequest) -> Any:
    """Your organisation's batches, newest first."""
    return (
        Batch.objects.visible_to(signed_in(request))
        .select_related("authority")
        .order_by("-created_at", "-pk")
    )


@router.post("/batches", response={201: BatchDetailOut, 401: Error, 403: Error, 422: Error})
@api_role_required(*WRITERS)
def create_batch(request: HttpRequest, payload: BatchIn) -> Any:
    """A batch of applications sent or answered together. Put applications in it with
    their ``batch`` field."""
    user = signed_in(request)
    organisation = _writer_organisation(user)
    authority = None
    if payload.authority is not None:
        authority = (
            Authority.objects.editable_by(user)
            .filter(organisation=organisation, code=payload.authority)
            .first()
        )
        if authority is None:
            return _unprocessable(_("There is no such authority in the organisation."))
    batch = Batch(
        organisation=organisation,
        name=payload.name,
        authority=authority,
        sent_on=payload.sent_on,
        notes=payload.notes,
        created_by=user,
    )
    with transaction.atomic():
        batch.save()
        record(
            Verb.CREATE,
            actor=user,
            request=request,
            obj=batch,
            fields=sorted({"name", *payload.dict(exclude_unset=True)}),
        )
    return HttpStatus(201, _batch_detail(user, batch))


@router.get("/batches/{code}", response={200: BatchDetailOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*READERS)
def get_batch(request: HttpRequest, code: UUID) -> Any:
    """A batch, the codes of its applications you may see, and how many are in each status."""
    user = signed_in(request)
    return _batch_detail(user, visible_or_404(Batch, user, code))


@router.post(
    "/batches/{code}/moves",
    response={200: BatchMoveOut, 401: Error, 403: Error, 404: Error},
)
@api_role_required(*WRITERS)
def move_batch(request: HttpRequest, code: UUID, payload: BatchMoveIn) -> Any:
    """Move every application of the batch that may make this move, in one transaction;
    each gets its own history row. The others are listed in ``skipped``."""
    user = signed_in(request)
    batch = editable_or_404(Batch, user, code)
    moved, skipped = batch.move_all(payload.status, by=user, note=payload.note)
    for change in moved:
        record(Verb.UPDATE, actor=user, request=request, obj=change.application, fields=["status"])
    return {"moved": len(moved), "skipped": [a.code for a in skipped]}
