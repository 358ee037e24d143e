"""Schemas of the custody API: what goes in and what comes out, field by field."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import AwareDatetime, Field

from qandas.incidents.models import (
    Alarm,
    AlarmKind,
    AlarmLevel,
    Assignment,
    AssignmentRole,
    Channel,
    CustodyState,
    Episode,
    Event,
    EventKind,
    Place,
    PlaceKind,
    Reliability,
    SearchAnswer,
    Source,
    TimePrecision,
)
from qandas.incidents.models.events import DocumentShown, RevisionAction
from qandas.lib.api import Body


class PlaceBrief(Schema):
    code: UUID
    name: str
    kind: PlaceKind


class PlaceOut(PlaceBrief):
    city: str | None
    admin_code: str
    latitude: float | None
    longitude: float | None
    created_at: datetime

    @staticmethod
    def resolve_city(obj: Place) -> str | None:
        return obj.city.slug if obj.city is not None else None


class PlaceIn(Body):
    kind: PlaceKind
    name: str = Field(..., min_length=1, max_length=200)
    city: str | None = Field(None, description="A city slug, e.g. “karachi”.")
    admin_code: str = Field("", max_length=50)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class EventOut(Schema):
    code: UUID
    kind: EventKind
    occurred_at: datetime
    precision: TimePrecision
    place: UUID | None
    household: UUID | None
    people: list[UUID] = Field(description="The people of the event you may see.")
    source: Source
    source_detail: str
    reliability: Reliability
    notes: str
    asked_by: str
    answer: str
    channel: str
    reported_location: str
    document_shown: DocumentShown
    created_at: datetime
    retracted_at: datetime | None
    retraction_reason: str
    warnings: list[str] = Field(
        default_factory=list, description="Saved anyway, but worth a second look."
    )

    @staticmethod
    def resolve_place(obj: Event) -> UUID | None:
        return obj.place.code if obj.place is not None else None

    @staticmethod
    def resolve_household(obj: Event) -> UUID | None:
        return obj.household.code if obj.household is not None else None

    @staticmethod
    def resolve_people(obj: Event) -> list[UUID]:
        shown = getattr(obj, "shown_people", None)
        people = shown if shown is not None else obj.people.order_by("pk")
        return [p.code for p in people]

    @staticmethod
    def resolve_warnings(obj: Event) -> list[str]:
        return [str(w) for w in getattr(obj, "api_warnings", [])]


class RevisionOut(Schema):
    action: RevisionAction
    reason: str
    at: datetime
    by: str

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return str(obj.by.username)


class EventDetailOut(EventOut):
    revisions: list[RevisionOut]

    @staticmethod
    def resolve_revisions(obj: Event) -> list[Any]:
        return list(obj.revisions.all())


class EventIn(Body):
    kind: EventKind
    people: list[UUID] = Field(..., min_length=1, description="Person codes.")
    occurred_at: AwareDatetime = Field(description="ISO 8601 with a time zone.")
    precision: TimePrecision = TimePrecision.MINUTE
    place: UUID | None = Field(None, description="A place code.")
    source: Source = Source.FAMILY
    source_detail: str = ""
    reliability: Reliability = Reliability.F
    notes: str = ""
    asked_by: str = Field("", max_length=200)
    answer: SearchAnswer | None = Field(None, description="Searches: what the place answered.")
    channel: Channel | None = Field(None, description="Contacts: how they were in touch.")
    reported_location: str = ""
    document_shown: DocumentShown = DocumentShown.UNKNOWN


class EventPatch(Body):
    """Only the fields you send change; ``reason`` says why and is kept."""

    reason: str = Field(..., min_length=1, max_length=500)
    kind: EventKind | None = None
    people: list[UUID] | None = Field(None, min_length=1)
    occurred_at: AwareDatetime | None = None
    precision: TimePrecision | None = None
    place: UUID | None = None
    source: Source | None = None
    source_detail: str | None = None
    reliability: Reliability | None = None
    notes: str | None = None
    asked_by: str | None = Field(None, max_length=200)
    answer: SearchAnswer | None = None
    channel: Channel | None = None
    reported_location: str | None = None
    document_shown: DocumentShown | None = None


class RetractIn(Body):
    reason: str = Field(..., min_length=1, max_length=500)


class ArrestIn(Body):
    household: UUID = Field(description="The household raided.")
    people: list[UUID] = Field(..., min_length=1, description="Who was taken (person codes).")
    occurred_at: AwareDatetime = Field(description="ISO 8601 with a time zone.")
    place: UUID | None = Field(None, description="Where they were taken, if known.")
    document_shown: DocumentShown = DocumentShown.UNKNOWN
    source: Source = Source.FAMILY
    notes: str = ""


class ArrestOut(Schema):
    events: list[EventOut]
    warnings: list[str]


class EventFilter(Schema):
    person: UUID | None = None
    kind: EventKind | None = None


class AlarmOut(Schema):
    code: UUID
    kind: AlarmKind
    level: AlarmLevel
    since: datetime
    raised_at: datetime
    cleared_at: datetime | None
    acknowledged_by: list[str]

    @staticmethod
    def resolve_acknowledged_by(obj: Alarm) -> list[str]:
        return [a.user.username for a in obj.acknowledgements.all()]


class AssignmentOut(Schema):
    role: AssignmentRole
    user: str
    assigned_at: datetime
    ended_at: datetime | None

    @staticmethod
    def resolve_user(obj: Assignment) -> str:
        return obj.user.username


class EpisodeOut(Schema):
    code: UUID
    person: UUID
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str
    place: PlaceBrief | None
    located_at: datetime | None
    produced_at: datetime | None
    searched_places: list[PlaceBrief]
    assignments: list[AssignmentOut]
    alarms: list[AlarmOut]

    @staticmethod
    def resolve_person(obj: Episode) -> UUID:
        return obj.person.code

    @staticmethod
    def resolve_searched_places(obj: Episode) -> list[Place]:
        return list(obj.searched_places.all())

    @staticmethod
    def resolve_assignments(obj: Episode) -> list[Assignment]:
        return list(obj.assignments.all())

    @staticmethod
    def resolve_alarms(obj: Episode) -> list[Alarm]:
        return list(obj.alarms.all())


class EpisodeFilter(Schema):
    person: UUID | None = None
    open: bool | None = None


class BoardFilter(Schema):
    city: str | None = Field(None, description="A city slug, e.g. “karachi”.")


class BoardEntryOut(Schema):
    person: UUID
    state: CustodyState
    since: datetime | None
    episode: UUID | None
    place: PlaceBrief | None
    searched_places: list[PlaceBrief]
    alarms: list[AlarmOut]


class BoardOut(Schema):
    count: int
    results: list[BoardEntryOut]
