"""API: people and households, with the same gate and masking as the pages."""

from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import field_validator

from qandas.accounts.models import City, Organisation, Role, User
from qandas.audit.disclosure import download, reveal
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.lib import files
from qandas.lib.access import editable_or_404, signed_in, visible_or_404
from qandas.lib.api import Body, Error, Page, Router, api_role_required
from qandas.lib.fields import mask_phone, mask_text, normalise_phone
from qandas.lib.files import clean_upload
from qandas.lib.numbers import FIRST_YEAR, birth_year, number_key
from qandas.lib.scripts import has_control, has_letter, visible
from qandas.people.forms import (
    GUARDED_FACTS,
    NEED_NAME,
    NO_HOUSEHOLD,
    NO_LETTER,
    NO_NUMBER,
    cities_for,
    names_of,
    names_problem,
    no_such_birth_year,
    organisation_for,
    searchable,
)
from qandas.people.merged import merged_in_scope, merged_survivor
from qandas.people.models import (
    DatePrecision,
    Household,
    NameSource,
    Person,
    Relationship,
    Script,
    Sex,
)
from qandas.people.search import check_duplicates, duplicates_dismissed, find, in_city

router = Router(tags=["people"])

READERS = (Role.COORDINATOR, Role.LAWYER, Role.LIAISON, Role.ADMIN)
WRITERS = (Role.COORDINATOR, Role.ADMIN)


def check_name(text: str) -> str:
    """Names are kept exactly as typed, but must say something (a letter, as imports
    require) and hold no control codes. Invisible format characters (``visible``) are
    dropped, as the person form and imports drop them."""
    text = visible(text)
    if not text.strip():
        raise ValueError(_("A name cannot be empty or only spaces."))
    if has_control(text):
        raise ValueError(_("A name cannot contain control characters."))
    if not has_letter(text):
        raise ValueError(str(NO_LETTER))
    return text


def check_phones(phones: list[str]) -> list[str]:
    cleaned: list[str] = []
    for phone in phones:
        try:
            number = normalise_phone(phone)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc
        if number not in cleaned:
            cleaned.append(number)
    return cleaned


def check_birth_date(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise ValueError(_("The birth date cannot be in the future."))
    return value


DIFFERENT_FROM = (
    "Codes of people a 409 answer listed that this person is not. Send every code it "
    "listed to save anyway; each pair is then remembered as two different people."
)


class NameIn(Body):
    text: str = Field(..., max_length=200)
    source: NameSource = NameSource.OTHER
    primary: bool = False

    _text = field_validator("text")(check_name)


class NameOut(Schema):
    text: str
    script: Script
    source: NameSource
    primary: bool = Field(..., alias="is_primary")


def check_father(text: str) -> str:
    """A father's name, when given, is a name: it holds a letter, as imports require."""
    text = visible(text)
    if text.strip() and not has_letter(text):
        raise ValueError(str(NO_LETTER))
    return text


def no_relationship(value: Any) -> Any:
    """``""`` is no relationship, as a person read from the API says it (``PersonOut``):
    what a client read it may send back."""
    return None if value == "" else value


def check_names(names: list[NameIn] | None) -> list[NameIn] | None:
    """Names as a whole, as the web form takes them (``names_problem``)."""
    problem = names_problem([(n.text, n.primary) for n in names or []])
    if problem:
        raise ValueError(problem)
    return names


class PersonIn(Body):
    names: list[NameIn] = Field(..., min_length=1)
    sex: Sex = Sex.UNKNOWN
    birth_date: date | None = None
    birth_date_precision: DatePrecision = DatePrecision.DAY
    father_name: str = Field("", max_length=200)
    clan: str = Field("", max_length=100)
    place_of_origin: str = Field("", max_length=200)
    phones: list[str] = []
    languages: str = Field("", max_length=200)
    notes: str = ""
    city: str | None = None
    household: UUID | None = None
    relationship: Relationship | None = None
    different_from: list[UUID] = Field([], description=DIFFERENT_FROM)

    _names = field_validator("names")(check_names)
    _phones = field_validator("phones")(check_phones)
    _birth = field_validator("birth_date")(check_birth_date)
    _father = field_validator("father_name")(check_father)
    _relationship = field_validator("relationship", mode="before")(no_relationship)


class PersonPatch(Body):
    names: list[NameIn] | None = Field(None, min_length=1)
    sex: Sex | None = None
    birth_date: date | None = None
    birth_date_precision: DatePrecision | None = None
    father_name: str | None = Field(None, max_length=200)
    clan: str | None = Field(None, max_length=100)
    place_of_origin: str | None = Field(None, max_length=200)
    phones: list[str] | None = None
    languages: str | None = Field(None, max_length=200)
    notes: str | None = None
    city: str | None = None
    household: UUID | None = None
    relationship: Relationship | None = None
    different_from: list[UUID] = Field([], description=DIFFERENT_FROM)

    _names = field_validator("names")(check_names)
    _phones = field_validator("phones")(lambda v: None if v is None else check_phones(v))
    _father = field_validator("father_name")(lambda v: None if v is None else check_father(v))
    _birth = field_validator("birth_date")(check_birth_date)
    _relationship = field_validator("relationship", mode="before")(no_relationship)


class PersonOut(Schema):
    code: UUID
    names: list[NameOut]
    sex: Sex
    birth_date: date | None
    birth_date_precision: DatePrecision
    father_name: str
    clan: str
    place_of_origin: str
    phones: list[str] = Field(..., description="Masked; POST .../reveal shows them, audited.")
    languages: str
    notes: str
    city: str
    household: UUID | None
    relationship: str
    redacted: bool
    has_photo: bool
    score: float | None = Field(None, ge=0, le=1)
    why: str | None = Field(None, description="With q: which names and keys matched")

    @staticmethod
    def resolve_has_photo(obj: Person) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_names(obj: Person) -> list[Any]:
        return list(obj.names.all())

    @staticmethod
    def resolve_phones(obj: Person) -> list[str]:
        return [mask_phone(p) for p in obj.phones]

    @staticmethod
    def resolve_city(obj: Person) -> str:
        return obj.current_city.slug

    @staticmethod
    def resolve_household(obj: Person) -> UUID | None:
        return obj.household.code if obj.household else None

    @staticmethod
    def resolve_redacted(obj: Person) -> bool:
        return obj.is_redacted

    @staticmethod
    def resolve_score(obj: Person) -> float | None:
        return getattr(obj, "score", None)


class CandidateOut(Schema):
    """Someone the caller may see who may be the person being saved."""

    code: UUID
    names: list[str]
    birth_year: int | None
    city: str
    score: float = Field(..., ge=0, le=1)
    why: str = Field(..., description="Which names matched, and how")

    @staticmethod
    def resolve_names(obj: Person) -> list[str]:
        return [n.text for n in obj.names.all()]

    @staticmethod
    def resolve_birth_year(obj: Person) -> int | None:
        return obj.birth_date.year if obj.birth_date else None

    @staticmethod
    def resolve_city(obj: Person) -> str:
        return obj.current_city.slug

    @staticmethod
    def resolve_score(obj: Person) -> float:
        return float(getattr(obj, "score", 0.0))

    @staticmethod
    def resolve_why(obj: Person) -> str:
        return str(getattr(obj, "why", ""))


class DuplicatesOut(Schema):
    """409: nothing was saved; the names match people already registered."""

    detail: str
    candidates: list[CandidateOut]


class PhonesOut(Schema):
    phones: list[str]


class PeopleFilter(Schema):
    q: str | None = Field(None, max_length=200, description="Any name, in any script")
    city: str | None = Field(
        None,
        max_length=100,
        description="A city's slug or name, any case. With q: ranks its people first; "
        "without: only its people",
    )
    household: UUID | None = None
    birth_year: int | None = Field(
        None, ge=FIRST_YEAR, description=f"From {FIRST_YEAR} to this year. With q: ranks by it"
    )
    father_name: str | None = Field(None, max_length=200, description="With q: ranks by it")
    document_number: str | None = Field(
        None, max_length=100, description="With q: ranks by it; alone: its holders, score 1"
    )

    @field_validator("birth_year")
    @classmethod
    def _year(cls, value: int | None) -> int | None:
        # The rule imports and lists use; ``ge`` only gives the OpenAPI document a minimum.
        if value is not None and birth_year(str(value)) is None:
            raise ValueError(no_such_birth_year())
        return value

    @field_validator("document_number")
    @classmethod
    def _number(cls, value: str | None) -> str | None:
        if value and not number_key(value):
            raise ValueError(str(NO_NUMBER))
        return value

    _father = field_validator("father_name")(lambda v: None if v is None else check_father(v))


def _city_named(word: str) -> City:
    """The city ``word`` names, by its slug or its name in any case; 422 if none: a
    misspelt city would otherwise read as nobody found."""
    city = City.objects.filter(Q(slug__iexact=word.strip()) | Q(name__iexact=word.strip())).first()
    if city is None:
        raise HttpError(422, _("No city “%(city)s”.") % {"city": word})
    return city


def _people() -> Any:
    return Person.objects.select_related("current_city", "household").prefetch_related("names")


def _city_for(user: User, slug: str | None, organisation: Organisation | None = None) -> City:
    """The city a new or moved record goes to: given, or the caller's only one.

    The same rule as the pages (``cities_for``): a coordinator's own cities, any
    city for an admin, counting only memberships of ``organisation`` when given.
    """
    allowed = cities_for(user, organisation)
    if slug is None:
        cities = list(allowed[:2])
        if len(cities) == 1:
            return cities[0]
        raise ValidationError(_("Say which city: you work in more than one."))
    city = allowed.filter(slug=slug).first()
    if city is None:
        # Said of a new record and of a move alike.
        raise ValidationError(_("You cannot keep people's records in the city “%s”.") % slug)
    return city


def _household_for(user: User, code: UUID | None) -> Household | None:
    if code is None:
        return None
    household = Household.objects.editable_by(user).filter(code=code).first()
    if household is None:
        raise ValidationError(_("No household with this code that you may change."))
    return household


def _bad(exc: ValidationError) -> Status:
    return Status(400, {"detail": " ".join(exc.messages)})


def _guard(
    user: User,
    names: list[dict[str, Any]],
    *,
    different_from: list[UUID],
    birth_date: date | None,
    father_name: str,
    person: Person | None,
    sex: str = "",
) -> tuple[Status | None, list[Person]]:
    """The form's duplicate guard for API clients: (a 409 to answer, people dismissed).

    A 409 lists only people the caller may see (``possible_duplicates`` starts from the
    access gate), so it never says anything about anyone else.
    """
    found, dismissed = check_duplicates(
        user,
        [n["text"] for n in names],
        seen=[str(code) for code in different_from],
        birth_year=birth_date.year if birth_date else None,
        father_name=father_name,
        sex=sex,
        person=person,
    )
    if not found:
        return None, dismissed
    # Read again through the gate (the receiver already starts from it): fail closed.
    visible = {
        p.pk: p
        for p in Person.objects.visible_to(user)
        .filter(pk__in=[p.pk for p in found])
        .select_related("current_city")
        .prefetch_related("names")
    }
    candidates = []
    for match in found:
        if match.pk in visible:
            candidate = visible[match.pk]
            candidate.score = getattr(match, "score", 0.0)  # type: ignore[attr-defined]
            candidate.why = getattr(match, "why", "")  # type: ignore[attr-defined]
            candidates.append(candidate)
    if not candidates:
        return None, []
    detail = _(
        "Nothing was saved: this may be someone already registered. If it is one of "
        "these people, change that record instead; if it is none of them, send the "
        "request again with different_from listing all their codes."
    )
    return Status(409, {"detail": detail, "candidates": candidates}), []


def _with_primary(names: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Names as ``set_names`` will keep them: the first is primary unless one says so."""
    given = [
        {
            "text": n["text"],
            "source": n.get("source", NameSource.OTHER),
            "primary": n.get("primary", False),
        }
        for n in names
    ]
    if given and not any(n["primary"] for n in given):
        given[0]["primary"] = True
    return given


@router.get("/people", response={200: list[PersonOut], 401: Error, 403: Error, 422: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    """People you may see; with ``q``, best match first and a ``score`` on each; with a
    ``document_number`` alone, the people holding it. ``birth_year`` and ``father_name``
    only rank: alone, they answer 422."""
    people = _people().visible_to(signed_in(request))
    people, city = in_city(
        people, _city_named(filters.city) if filters.city else None, filters.q or ""
    )
    if filters.household:
        people = people.filter(household__code=filters.household)
    if not searchable(filters.q or ""):
        raise HttpError(422, str(NO_LETTER))
    if (filters.q or "").strip() or filters.document_number:
        return find(
            people,
            filters.q or "",
            birth_year=filters.birth_year,
            father_name=filters.father_name or "",
            document_number=filters.document_number or "",
            city=city,
        )
    if filters.birth_year or filters.father_name:
        raise HttpError(422, str(NEED_NAME))
    return people


@transaction.atomic
def _create_person(
    user: User,
    organisation_id: int,
    city: City,
    household: Household | None,
    payload: PersonIn,
    key: str | None,
) -> Person:
    person = Person.objects.create(
        organisation_id=organisation_id,
        current_city=city,
        household=household,
        relationship=payload.relationship or "",
        sex=payload.sex,
        birth_date=payload.birth_date,
        birth_date_precision=payload.birth_date_precision,
        father_name=payload.father_name,
        clan=payload.clan,
        place_of_origin=payload.place_of_origin,
        phones=payload.phones,
        languages=payload.languages,
        notes=payload.notes,
        created_by=user,
        idempotency_key=key,
    )
    person.set_names([n.dict() for n in payload.names])
    return person


@router.post(
    "/people",
    response={
        200: PersonOut,
        201: PersonOut,
        400: Error,
        401: Error,
        403: Error,
        409: DuplicatesOut,
        422: Error,
    },
)
@api_role_required(*WRITERS)
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    """Register a person. Only ``names`` is required; the city defaults to yours.

    When the names match people you may see (in any script), nothing is saved and the
    answer is 409 with those ``candidates``. If none of them is this person, send the
    same request with ``different_from`` listing every candidate's code; a candidate
    not listed (say, registered in the meantime) is answered with 409 again.

    Send an ``Idempotency-Key`` header (a UUID) to make retries safe: a repeated
    request with the same key answers 200 with the person the first one created.
    """
    user = signed_in(request)
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        try:
            key = str(UUID(key))
        except ValueError:
            return Status(400, {"detail": _("Idempotency-Key must be a UUID.")})
        earlier = Person.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return _replayed(request, user, earlier)
    try:
        city = _city_for(user, payload.city)
        household = _household_for(user, payload.household)
    except ValidationError as exc:
        return _bad(exc)
    if payload.relationship and household is None:
        return Status(400, {"detail": str(NO_HOUSEHOLD)})
    organisation = organisation_for(user, city)
    assert organisation is not None  # _city_for only returns cities a membership covers
    refusal, dismissed = _guard(
        user,
        [n.dict() for n in payload.names],
        different_from=payload.different_from,
        birth_date=payload.birth_date,
        father_name=payload.father_name,
        person=None,
        sex=payload.sex,
    )
    if refusal is not None:
        return refusal
    try:
        with transaction.atomic():
            person = _create_person(user, organisation.pk, city, household, payload, key)
            # The fields the body gave (names, never values), as the web form's entry.
            given = {
                "current_city" if field == "city" else field
                for field in payload.model_fields_set
                if field != "different_from"
            }
            record(
                Verb.CREATE,
                actor=user,
                request=request,
                obj=person,
                fields=sorted(given | {"names"}),
            )
            if dismissed:
                duplicates_dismissed.send(
                    sender=Person, person=person, others=dismissed, by=user, request=request
                )
    except IntegrityError:
        # A retry raced the first request with the same key; the first one won.
        return _replayed(request, user, Person.objects.get(idempotency_key=key))
    return Status(201, _people().get(pk=person.pk))


def _replayed(request: HttpRequest, user: User, earlier: Person) -> Status:
    """A retry of the request that created ``earlier``: the person, read again (and
    audited as read), to the user who sent it and may still see them. Anyone else's
    request with that key is refused alike, whatever they may see: a key is one
    caller's, and another's request with it is not that one retried."""
    mine = earlier.created_by_id == user.pk
    if not mine or not Person.objects.visible_to(user).filter(pk=earlier.pk).exists():
        return Status(400, {"detail": _("This Idempotency-Key was already used.")})
    record(Verb.VIEW, actor=user, request=request, obj=earlier)
    return Status(200, _people().get(pk=earlier.pk))


class MergedOut(Schema):
    detail: str
    merged_into: UUID | None = Field(
        None, description="The record kept, when you may see it; else null."
    )


@router.get(
    "/people/{code}",
    response={200: PersonOut, 401: Error, 403: Error, 404: Error, 410: MergedOut},
)
@api_role_required(*READERS)
def get_person(request: HttpRequest, code: UUID) -> Any:
    """One person. A record merged into another answers 410 with the record kept
    (``merged_into``), as the web page sends its reader there; null when that record
    is outside your cities."""
    user = signed_in(request)
    try:
        person = visible_or_404(Person, user, code)
    except Http404 as missing:
        return _merged(request, user, code, missing)
    record(Verb.VIEW, actor=user, request=request, obj=person)
    return _people().get(pk=person.pk)


def _merged(request: HttpRequest, user: User, code: UUID, missing: Http404) -> Status:
    """410 with the record kept (``merged_into``; null when it is outside the user's
    cities) for a record of the user's merged into another, audited; else ``missing``
    is raised again."""
    gone = merged_in_scope(user, code)
    if gone is None:
        raise missing
    survivor = merged_survivor(user, code)
    record(Verb.VIEW, actor=user, request=request, obj=gone, fields=["merged_into"])
    return Status(
        410,
        {
            "detail": _("This record was merged into another record of the same person."),
            "merged_into": survivor.code if survivor is not None else None,
        },
    )


@router.patch(
    "/people/{code}",
    response={
        200: PersonOut,
        400: Error,
        401: Error,
        403: Error,
        404: Error,
        409: DuplicatesOut,
        410: MergedOut,
        422: Error,
    },
)
@api_role_required(*WRITERS)
def update_person(request: HttpRequest, code: UUID, payload: PersonPatch) -> Any:
    """Change the fields you send; names, when sent, replace all names.

    New names that match other people you may see answer 409, as for ``POST /people``;
    ``different_from`` works the same way. Unchanged names are not checked again. A
    record merged into another answers 410 with the record kept, as ``GET`` does, and
    nothing is changed.
    """
    user = signed_in(request)
    try:
        person = editable_or_404(Person, user, code)
    except Http404 as missing:
        return _merged(request, user, code, missing)
    placed = {"current_city": person.current_city_id, "household": person.household_id}
    given = payload.dict(exclude_unset=True)
    different_from = given.pop("different_from", None) or []
    try:
        if "city" in given:
            person.current_city = _city_for(user, given.pop("city"), person.organisation)
            given["current_city"] = True
        if "household" in given:
            person.household = _household_for(user, given.pop("household"))
            given["household"] = True
    except ValidationError as exc:
        return _bad(exc)
    if person.household is None:
        # As the form does: a relationship to the head of no household means nothing. One
        # left from before goes with the household; one sent now is refused.
        if given.get("relationship"):
            return Status(400, {"detail": str(NO_HOUSEHOLD)})
        if person.relationship:
            given["relationship"] = None
    names = given.pop("names", None)
    dismissed: list[Person] = []
    if names is not None and _with_primary(names) == names_of(person):
        names = None  # the same names again: nothing to check, nothing to change
    # A birth year or a father's name decides whether the same name is asked about too.
    refacts = any(k in given and given[k] != getattr(person, k) for k in GUARDED_FACTS)
    if names is not None or refacts:
        refusal, dismissed = _guard(
            user,
            names if names is not None else names_of(person),
            different_from=different_from,
            birth_date=given.get("birth_date", person.birth_date),
            father_name=given.get("father_name", person.father_name) or "",
            person=person,
            sex=given.get("sex", person.sex) or "",
        )
        if refusal is not None:
            return refusal
    # Only what differs is written and audited: sending a field back as it was (a client
    # that PATCHes the whole person it read) changes nothing.
    changed = {
        field
        for field in given
        if field in placed and getattr(person, f"{field}_id") != placed[field]
    }
    with transaction.atomic():
        for field, value in given.items():
            if field in placed:
                continue
            value = "" if value is None and field == "relationship" else value
            if getattr(person, field) != value:
                changed.add(field)
                setattr(person, field, value)
        if not changed and names is None:
            return _people().get(pk=person.pk)
        try:
            person.full_clean(exclude=["organisation", "created_by"])
        except ValidationError as exc:
            transaction.set_rollback(True)
            return _bad(exc)
        person.save()
        if names is not None:
            person.set_names(names)
        fields = sorted({*changed, *(["names"] if names is not None else [])})
        record(Verb.UPDATE, actor=user, request=request, obj=person, fields=fields)
        if dismissed:
            duplicates_dismissed.send(
                sender=Person, person=person, others=dismissed, by=user, request=request
            )
    return _people().get(pk=person.pk)


@router.post(
    "/people/{code}/reveal",
    response={200: PhonesOut, 401: Error, 403: Error, 404: Error},
)
@api_role_required(*READERS)
def reveal_person_phones(request: HttpRequest, code: UUID) -> dict[str, list[str]]:
    """The person's phone numbers in full. Audited."""
    user = signed_in(request)
    person = visible_or_404(Person, user, code)
    reveal(request, actor=user, obj=person, fields=["phones"])
    return {"phones": person.phones}


class HouseholdIn(Body):
    city: str | None = None
    area: str = Field("", max_length=120)
    address: str = ""
    phones: list[str] = []

    _phones = field_validator("phones")(check_phones)


class HouseholdPatch(Body):
    city: str | None = None
    area: str | None = Field(None, max_length=120)
    address: str | None = None
    phones: list[str] | None = None

    _phones = field_validator("phones")(lambda v: None if v is None else check_phones(v))


class MemberOut(Schema):
    person: UUID
    relationship: str

    @staticmethod
    def resolve_person(obj: Person) -> UUID:
        return obj.code


class HouseholdOut(Schema):
    code: UUID
    city: str
    area: str
    address: str = Field(..., description="Masked; POST .../reveal shows it, audited.")
    phones: list[str]
    members: list[MemberOut]

    @staticmethod
    def resolve_city(obj: Household) -> str:
        return obj.city.slug

    @staticmethod
    def resolve_address(obj: Household) -> str:
        return mask_text(obj.address)

    @staticmethod
    def resolve_phones(obj: Household) -> list[str]:
        return [mask_phone(p) for p in obj.phones]

    @staticmethod
    def resolve_members(obj: Household) -> list[Person]:
        return list(obj.members.all())


class HouseholdContactOut(Schema):
    address: str
    phones: list[str]


def _households() -> Any:
    return Household.objects.select_related("city").prefetch_related("members")


@router.get("/households", response={200: list[HouseholdOut], 401: Error, 403: Error})
@api_role_required(*READERS)
@paginate(Page)
def list_households(request: HttpRequest) -> Any:
    return _households().visible_to(signed_in(request))


@router.post(
    "/households",
    response={201: HouseholdOut, 400: Error, 401: Error, 403: Error, 422: Error},
)
@api_role_required(*WRITERS)
def create_household(request: HttpRequest, payload: HouseholdIn) -> Status:
    user = signed_in(request)
    try:
        city = _city_for(user, payload.city)
    except ValidationError as exc:
        return _bad(exc)
    organisation = organisation_for(user, city)
    assert organisation is not None  # _city_for only returns cities a membership covers
    with transaction.atomic():
        household = Household.objects.create(
            organisation=organisation,
            city=city,
            area=payload.area,
            address=payload.address,
            phones=payload.phones,
        )
        record(Verb.CREATE, actor=user, request=request, obj=household)
    return Status(201, _households().get(pk=household.pk))


@router.get("/households/{code}", response={200: HouseholdOut, 401: Error, 403: Error, 404: Error})
@api_role_required(*READERS)
def get_household(request: HttpRequest, code: UUID) -> Household:
    household = visible_or_404(Household, signed_in(request), code)
    return _households().get(pk=household.pk)


@router.patch(
    "/households/{code}",
    response={200: HouseholdOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
)
@api_role_required(*WRITERS)
def update_household(request: HttpRequest, code: UUID, payload: HouseholdPatch) -> Any:
    user = signed_in(request)
    household = editable_or_404(Household, user, code)
    given = payload.dict(exclude_unset=True)
    try:
        if "city" in given:
            household.city = _city_for(user, given.pop("city"), household.organisation)
            given["city"] = True
    except ValidationError as exc:
        return _bad(exc)
    with transaction.atomic():
        for field, value in given.items():
            if field != "city":
                setattr(household, field, value if value is not None else "")
        household.save()
        record(Verb.UPDATE, actor=user, request=request, obj=household, fields=given)
    return _households().get(pk=household.pk)


@router.post(
    "/households/{code}/reveal",
    response={200: HouseholdContactOut, 401: Error, 403: Error, 404: Error},
)
@api_role_required(*READERS)
def reveal_household(request: HttpRequest, code: UUID) -> dict[str, Any]:
    """The household's address and phones in full. Audited."""
    user = signed_in(request)
    household = visible_or_404(Household, user, code)
    reveal(request, actor=user, obj=household, fields=["address", "phones"])
    return {"address": household.address, "phones": household.phones}


@router.post(
    "/people/{code}/photo",
    response={200: PersonOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
@api_role_required(*WRITERS)
def upload_photo(
    request: HttpRequest,
    code: UUID,
    photo: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Set the person's photo (multipart field ``photo``; JPEG or PNG, re-encoded)."""
    user = signed_in(request)
    person = editable_or_404(Person, user, code)
    if photo is None:
        return Status(400, {"detail": _("Send the image as the multipart form field “photo”.")})
    try:
        person.set_photo(clean_upload(photo), by=user)
    except ValidationError as exc:
        return _bad(exc)
    record(Verb.UPDATE, actor=user, request=request, obj=person, fields=["photo"])
    return _people().get(pk=person.pk)


@router.get(
    "/people/{code}/photo",
    response={200: None, 401: Error, 403: Error, 404: Error, 410: MergedOut},
)
@api_role_required(*READERS)
def download_photo(request: HttpRequest, code: UUID) -> Any:
    """The person's photo as a file. Audited. A record merged into another answers 410
    as ``GET /people/{code}`` does: the record kept has the photo now, if it had none."""
    user = signed_in(request)
    try:
        person = visible_or_404(Person, user, code)
    except Http404 as missing:
        return _merged(request, user, code, missing)
    path = files.path_of(person.photo) if person.photo else None
    if path is None or not path.exists():
        return Status(404, {"detail": _("This person has no photo.")})
    return download(
        request,
        actor=user,
        obj=person,
        path=path,
        filename=f"photo{path.suffix}",
        content_type=person.photo_content_type,
    )
