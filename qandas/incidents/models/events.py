"""Events: what happened to which people, when, where, and who says so."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import Organisation, User
from qandas.incidents.models.places import Place, custody_people
from qandas.lib.fields import SensitiveTextField
from qandas.lib.stored import StoredFile
from qandas.people.models import Household, Person


class EventKind(models.TextChoices):
    RAID = "raid", _("Raid")
    ARREST = "arrest", _("Arrest")
    SEARCH = "search", _("Search for a detainee")
    LOCATED = "located", _("Located")
    TRANSFER = "transfer", _("Transfer")
    COURT_HEARING = "court_hearing", _("Court hearing")
    PRODUCED = "produced", _("Produced before a magistrate")
    BAIL = "bail", _("Bail")
    RELEASE = "release", _("Release")
    DEPORTATION = "deportation", _("Deportation")
    CONTACT = "contact", _("Contact")
    DISAPPEARANCE = "disappearance", _("Disappearance")
    DEATH = "death", _("Death")
    REPATRIATION = "repatriation", _("Repatriation")


class TimePrecision(models.TextChoices):
    MINUTE = "minute", _("Exact time")
    HOUR = "hour", _("About that hour")
    DAY = "day", _("That day")
    MONTH = "month", _("That month")


class Source(models.TextChoices):
    FAMILY = "family", _("Family")
    WITNESS = "witness", _("Witness")
    LAWYER = "lawyer", _("Lawyer")
    POLICE = "police", _("Police or officials")
    PERSON = "person", _("The person themselves")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class Reliability(models.TextChoices):
    """The source's reliability, graded as in the Admiralty (NATO) system."""

    A = "a", _("A: completely reliable")
    B = "b", _("B: usually reliable")
    C = "c", _("C: fairly reliable")
    D = "d", _("D: not usually reliable")
    E = "e", _("E: unreliable")
    F = "f", _("F: cannot be judged")


class SearchAnswer(models.TextChoices):
    DENIED = "denied", _("Denied holding them")
    NOT_HERE = "not_here", _("Not here")
    CONFIRMED = "confirmed", _("Confirmed they are held here")
    NO_ANSWER = "no_answer", _("No answer")


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")
    VISIT = "visit", _("Visit")


class DocumentShown(models.TextChoices):
    UNKNOWN = "unknown", _("Not known")
    IGNORED = "ignored", _("Shown and ignored by police")
    RESPECTED = "respected", _("Shown and respected")
    NOT_SHOWN = "not_shown", _("Not shown")


# Kinds that may lie in the future: a hearing is often known before it happens.
MAY_BE_FUTURE = {EventKind.COURT_HEARING}


class EventQuerySet(models.QuerySet["Event"]):
    def visible_to(self, user: User) -> EventQuerySet:
        """Events about at least one person whose custody records the user may read."""
        return self.filter(
            pk__in=EventPerson.objects.filter(person__in=custody_people(user)).values("event")
        )

    def editable_by(self, user: User) -> EventQuerySet:
        """Events whose every person the user may record custody events for."""
        writable = custody_people(user, write=True)
        return self.filter(
            pk__in=EventPerson.objects.filter(person__in=writable).values("event")
        ).exclude(pk__in=EventPerson.objects.exclude(person__in=writable).values("event"))

    def current(self) -> EventQuerySet:
        """Not retracted."""
        return self.filter(retracted_at__isnull=True)


class Event(models.Model):
    """Something that happened to one or more people at a time and place.

    Events are never deleted: a wrong one is retracted with a reason, a corrected
    one keeps its earlier values in ``revisions``. Custody state is derived from them.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what happened"), max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    precision = models.CharField(
        _("how exact is the time"),
        max_length=6,
        choices=TimePrecision.choices,
        default=TimePrecision.MINUTE,
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("place"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    people: models.ManyToManyField[Person, EventPerson] = models.ManyToManyField(
        Person, through="EventPerson", related_name="events"
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.FAMILY
    )
    source_detail = SensitiveTextField(_("source details"))
    reliability = models.CharField(
        _("reliability of the source"),
        max_length=1,
        choices=Reliability.choices,
        default=Reliability.F,
    )
    notes = SensitiveTextField(_("notes"))
    # Searches: who asked which place, and what it answered.
    asked_by = models.CharField(_("asked by"), max_length=200, blank=True)
    answer = models.CharField(_("answer"), max_length=10, choices=SearchAnswer.choices, blank=True)
    # Contacts: how, and where the person said they are.
    channel = models.CharField(_("contact by"), max_length=10, choices=Channel.choices, blank=True)
    reported_location = SensitiveTextField(_("where they said they are"))
    # Arrests and raids: whether the protection letter was shown, and respected.
    document_shown = models.CharField(
        _("protection letter"),
        max_length=10,
        choices=DocumentShown.choices,
        default=DocumentShown.UNKNOWN,
    )
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    retracted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retraction_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # A form or API call retried over a flaky connection records the event once.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("event")
        indexes = [models.Index(fields=["organisation", "kind", "occurred_at"])]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    def snapshot(self) -> dict[str, Any]:
        """The event's values as a correction keeps them (JSON-ready)."""
        return {
            "kind": self.kind,
            "occurred_at": self.occurred_at.isoformat(),
            "precision": self.precision,
            "place": str(self.place.code) if self.place else None,
            "people": sorted(str(c) for c in self.people.values_list("code", flat=True)),
            "source": self.source,
            "source_detail": self.source_detail,
            "reliability": self.reliability,
            "notes": self.notes,
            "asked_by": self.asked_by,
            "answer": self.answer,
            "channel": self.channel,
            "reported_location": self.reported_location,
            "document_shown": self.document_shown,
        }


class EventPerson(models.Model):
    """One person an event happened to."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="person_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.person_id}"


class RevisionAction(models.TextChoices):
    CORRECTED = "corrected", _("Corrected")
    RETRACTED = "retracted", _("Retracted")


class EventRevision(models.Model):
    """The values an event had before a correction or retraction, and why it changed."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="revisions")
    action = models.CharField(max_length=10, choices=RevisionAction.choices)
    before = models.JSONField()
    reason = models.CharField(_("reason"), max_length=500)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def visible_to(self, user: User) -> AttachmentQuerySet:
        return self.filter(event__in=Event.objects.visible_to(user))

    def editable_by(self, user: User) -> AttachmentQuerySet:
        return self.filter(event__in=Event.objects.editable_by(user))


class Attachment(StoredFile):
    """A cleaned file about an event (a photo of a police order, a court paper)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="attachments")

    objects = AttachmentQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")

    @property
    def organisation_id(self) -> int:
        return self.event.organisation_id

    @property
    def organisation(self) -> Organisation:
        return self.event.organisation
