"""Custody episodes and each person's custody state, derived from events; assignments."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import Organisation, User
from qandas.incidents.models.events import Event, EventKind
from qandas.incidents.models.places import Place, custody_people
from qandas.people.models import Person


class CustodyState(models.TextChoices):
    FREE = "free", _("Free")
    DETAINED_UNLOCATED = "detained_unlocated", _("Detained, not located")
    DETAINED_LOCATED = "detained_located", _("Detained, located")
    RELEASED = "released", _("Released")
    DEPORTED = "deported", _("Deported")
    OUT_OF_CONTACT = "out_of_contact", _("Out of contact")
    MISSING = "missing", _("Missing")
    REPATRIATED = "repatriated", _("Repatriated")
    DECEASED = "deceased", _("Deceased")


# The states the custody board lists: people someone must be looking for.
# A deported person is listed until they have been heard from.
BOARD_STATES = {
    CustodyState.DETAINED_UNLOCATED,
    CustodyState.DETAINED_LOCATED,
    CustodyState.MISSING,
    CustodyState.DEPORTED,
    CustodyState.OUT_OF_CONTACT,
}


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def visible_to(self, user: User) -> EpisodeQuerySet:
        return self.filter(person__in=custody_people(user))

    def editable_by(self, user: User) -> EpisodeQuerySet:
        return self.filter(person__in=custody_people(user, write=True))

    def open(self) -> EpisodeQuerySet:
        return self.filter(closed_at__isnull=True)


class Episode(models.Model):
    """A stretch of custody of one person, derived from their events, never typed.

    Opens at an arrest (or a disappearance, or a person found held without a recorded
    arrest); closes at release, bail, deportation, repatriation or death.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="custody_episodes")
    opening_event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    opened_by = models.CharField(max_length=20)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_by = models.CharField(max_length=20, blank=True)
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    located_at = models.DateTimeField(null=True, blank=True)
    unlocated_since = models.DateTimeField(null=True, blank=True)
    produced_at = models.DateTimeField(null=True, blank=True)
    searched_places = models.ManyToManyField(Place, blank=True, related_name="+")

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("custody episode")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "opening_event"], name="one_episode_per_opening_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_located(self) -> bool:
        return self.place_id is not None and self.unlocated_since is None

    @property
    def closed_by_label(self) -> str:
        """The kind of event that closed it, in words (``closed_by`` holds its value)."""
        if self.closed_by in EventKind.values:
            return str(EventKind(self.closed_by).label)
        return self.closed_by


class Custody(models.Model):
    """A person's current custody state, kept in step with their events."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, primary_key=True, related_name="custody"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=CustodyState.choices, default=CustodyState.FREE)
    since = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    episode = models.ForeignKey(
        Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("custody state")
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self) -> str:
        return str(self.get_state_display())


class AssignmentRole(models.TextChoices):
    LAWYER = "lawyer", _("Lawyer")
    COORDINATOR = "coordinator", _("Second coordinator")


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def current(self) -> AssignmentQuerySet:
        return self.filter(ended_at__isnull=True)


class Assignment(models.Model):
    """Who works on an episode: a lawyer, and optionally a second coordinator."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_assignment_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user}"
