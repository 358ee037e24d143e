"""The clocks: thresholds per organisation, the alarms they raise, and the duty rota."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import City, Organisation, Role, User
from qandas.incidents.models.custody import Assignment, Episode
from qandas.incidents.models.places import custody_people
from qandas.people.models import Person


class ClockSettings(models.Model):
    """An organisation's thresholds for the clocks (defaults from the custody issue)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    unlocated_warning_hours = models.PositiveSmallIntegerField(
        _("unlocated: warning after (hours)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
    )
    unlocated_alarm_hours = models.PositiveSmallIntegerField(
        _("unlocated: alarm after (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
    )
    magistrate_hours = models.PositiveSmallIntegerField(
        _("not produced before a magistrate: alarm after (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text=_(
            "Constitution of Pakistan, Art. 10(2): a person arrested and detained is to be "
            "produced before a magistrate within 24 hours. Counsel confirms whether it "
            "applies to the detention in question (for example under the Foreigners Act)."
        ),
    )
    out_of_contact_days = models.PositiveSmallIntegerField(
        _("deported, no contact: out of contact after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    hearing_notice_hours = models.PositiveSmallIntegerField(
        _("court hearing: remind this many hours before"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("clock settings")
        verbose_name_plural = _("clock settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def of(cls, organisation_id: int) -> ClockSettings:
        """The organisation's settings, or the defaults (not saved) when it has none."""
        found = cls.objects.filter(organisation_id=organisation_id).first()
        return found or cls(organisation_id=organisation_id)

    @property
    def out_of_contact_after(self) -> timedelta:
        return timedelta(days=self.out_of_contact_days)


class AlarmKind(models.TextChoices):
    UNLOCATED = "unlocated", _("Not located")
    MAGISTRATE = "magistrate", _("Not produced before a magistrate")
    OUT_OF_CONTACT = "out_of_contact", _("Out of contact since deportation")
    HEARING = "hearing", _("Court hearing soon")


class AlarmLevel(models.TextChoices):
    WARNING = "warning", _("Warning")
    ALARM = "alarm", _("Alarm")


class AlarmQuerySet(models.QuerySet["Alarm"]):
    def visible_to(self, user: User) -> AlarmQuerySet:
        return self.filter(person__in=custody_people(user))

    def editable_by(self, user: User) -> AlarmQuerySet:
        return self.filter(person__in=custody_people(user, write=True))

    def open(self) -> AlarmQuerySet:
        return self.filter(cleared_at__isnull=True)


class Alarm(models.Model):
    """A clock that ran out. One per episode and rule (``key``); it clears itself."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="alarms"
    )
    # What makes the alarm unique: "<episode>:<kind>", or per hearing for hearings.
    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=AlarmKind.choices)
    level = models.CharField(max_length=10, choices=AlarmLevel.choices)
    since = models.DateTimeField(help_text="When the condition began (or the hearing's time).")
    raised_at = models.DateTimeField(default=timezone.now)
    escalated_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    objects = AlarmQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alarm")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_level_display()})"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    def recipients(self, today: date | None = None) -> list[User]:
        """Whom this alarm is for: the people assigned to the episode, the lawyer on
        duty in the person's city today, and the coordinators of that city."""
        today = today or timezone.localdate()
        found: dict[int, User] = {}
        if self.episode_id:
            assignments = Assignment.objects.filter(
                episode_id=self.episode_id, ended_at__isnull=True
            )
            for assignment in assignments.select_related("user"):
                found.setdefault(assignment.user.pk, assignment.user)
        city_id = self.person.current_city_id
        for rota in DutyRota.objects.filter(
            organisation_id=self.organisation_id, city_id=city_id, on=today
        ).select_related("lawyer"):
            found.setdefault(rota.lawyer.pk, rota.lawyer)
        coordinators = User.objects.filter(
            memberships__organisation_id=self.organisation_id,
            memberships__role=Role.COORDINATOR,
            memberships__is_active=True,
            memberships__cities=city_id,
        ).order_by("username")
        for user in coordinators:
            found.setdefault(user.pk, user)
        return list(found.values())


class Acknowledgement(models.Model):
    """Someone has seen an alarm and is acting on it."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["alarm", "user"], name="acknowledge_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"


class DutyRotaQuerySet(models.QuerySet["DutyRota"]):
    def visible_to(self, user: User) -> DutyRotaQuerySet:
        orgs = user.scope().filter(role__in=(Role.COORDINATOR, Role.LAWYER, Role.ADMIN))
        return self.filter(organisation__in=orgs.values("organisation"))

    def editable_by(self, user: User) -> DutyRotaQuerySet:
        orgs = user.scope().filter(role__in=(Role.COORDINATOR, Role.ADMIN))
        return self.filter(organisation__in=orgs.values("organisation"))


class DutyRota(models.Model):
    """The lawyer on duty in a city on a day: whom an alarm reaches out of hours."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    on = models.DateField(_("day"))
    lawyer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("lawyer on duty")
    )
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    objects = DutyRotaQuerySet.as_manager()

    class Meta:
        ordering = ["on", "city__name"]
        verbose_name = _("duty rota")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "city", "on"], name="one_lawyer_on_duty_per_city_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.on}: {self.lawyer}"
