"""Places where people are taken, held, tried or pushed across a border; who sees custody."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import City, Organisation, Role, User
from qandas.people.models import Person, PersonQuerySet

# Custody events and places where people are held (DESIGN section 1): not for
# liaisons, never for analysts.
CUSTODY_READERS = (Role.COORDINATOR, Role.LAWYER, Role.ADMIN)
# Coordinators log raids and searches; lawyers court dates, production and release.
CUSTODY_WRITERS = CUSTODY_READERS


def custody_people(user: User, *, write: bool = False) -> PersonQuerySet:
    """The people whose custody records ``user`` may read (or, with ``write``, record).

    Coordinators: their cities. Lawyers: their cities and the people assigned to them.
    Admins: their organisation. Redacted people get no new events.
    """
    people = Person.objects.visible_to(user, roles=CUSTODY_READERS)
    if write:
        people = people.filter(redacted_at__isnull=True)
    return people


def place_filter(user: User, *, write: bool = False) -> Q:
    """Places of the organisations where the user holds a custody role."""
    roles = (Role.COORDINATOR, Role.ADMIN) if write else CUSTODY_READERS
    return Q(organisation__in=user.scope().filter(role__in=roles).values("organisation"))


class PlaceKind(models.TextChoices):
    POLICE_STATION = "police_station", _("Police station")
    COURT = "court", _("Court")
    PRISON = "prison", _("Prison or holding centre")
    BORDER_CROSSING = "border_crossing", _("Border crossing")
    CITY = "city", _("City")


# Where a person can be held: being located at one of these ends "unlocated".
DETENTION_KINDS = {PlaceKind.POLICE_STATION, PlaceKind.PRISON, PlaceKind.COURT}


class PlaceQuerySet(models.QuerySet["Place"]):
    def visible_to(self, user: User) -> PlaceQuerySet:
        return self.filter(place_filter(user))

    def editable_by(self, user: User) -> PlaceQuerySet:
        return self.filter(place_filter(user, write=True))


class Place(models.Model):
    """A police station, court, prison or holding centre, border crossing or city."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
    )
    admin_code = models.CharField(_("administrative code"), max_length=50, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("place")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "name"], name="one_place_per_kind_and_name"
            ),
            models.CheckConstraint(
                condition=(
                    Q(latitude__isnull=True, longitude__isnull=True)
                    | Q(
                        latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                    )
                ),
                name="place_position_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def holds_people(self) -> bool:
        return self.kind in DETENTION_KINDS
