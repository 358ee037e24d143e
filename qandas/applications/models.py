"""Applications to authorities, their status pipeline with history, and batches.

Authorities and their officials live here rather than in correspondence: an
application is addressed to an authority, and correspondence (above this app)
points at both.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import Organisation, Role, User
from qandas.lib.fields import SensitiveTextField
from qandas.people.models import Household, Person, scope_filter

# Who may read applications, letters and promises (DESIGN section 1): coordinators
# read (their cities' people), liaisons and admins read and write.
READERS = (Role.COORDINATOR, Role.LIAISON, Role.ADMIN)
WRITERS = (Role.LIAISON, Role.ADMIN)


def organisations_where(user: User, roles: tuple[str, ...]) -> models.QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=user.scope().filter(role__in=roles).values("organisation")
    )


class TransitionError(Exception):
    """A move the pipeline does not allow, or one someone else made first."""

    def __init__(self, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


class AuthorityKind(models.TextChoices):
    EMBASSY = "embassy", _("Embassy or consulate")
    MINISTRY = "ministry", _("Ministry")
    POLICE = "police", _("Police")
    COURT = "court", _("Court")
    OTHER = "other", _("Other")


class AuthorityQuerySet(models.QuerySet["Authority"]):
    def visible_to(self, user: User) -> AuthorityQuerySet:
        return self.filter(organisation__in=organisations_where(user, READERS))

    def editable_by(self, user: User) -> AuthorityQuerySet:
        return self.filter(organisation__in=organisations_where(user, WRITERS))


class Authority(models.Model):
    """An embassy, ministry, police force or court that people write to and wait on."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=AuthorityKind.choices)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_authority_per_name")
        ]

    def __str__(self) -> str:
        return self.name


class OfficialQuerySet(models.QuerySet["Official"]):
    def visible_to(self, user: User) -> OfficialQuerySet:
        return self.filter(authority__in=Authority.objects.visible_to(user))

    def editable_by(self, user: User) -> OfficialQuerySet:
        return self.filter(authority__in=Authority.objects.editable_by(user))

    def in_office(self, on: date | None = None) -> OfficialQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(from_on__isnull=True) | Q(from_on__lte=on)).filter(
            Q(until_on__isnull=True) | Q(until_on__gte=on)
        )


class Official(models.Model):
    """A person holding a post in an authority for a time. A new minister is a new
    official; letters keep pointing at whoever held the post when they were written."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="officials")
    name = models.CharField(_("name"), max_length=200)
    post = models.CharField(_("post"), max_length=200)
    from_on = models.DateField(_("in office from"), null=True, blank=True)
    until_on = models.DateField(_("in office until"), null=True, blank=True)

    objects = OfficialQuerySet.as_manager()

    class Meta:
        ordering = ["authority", "post", "-from_on"]
        verbose_name = _("official")
        constraints = [
            models.CheckConstraint(
                condition=Q(until_on__isnull=True)
                | Q(from_on__isnull=True)
                | Q(until_on__gte=models.F("from_on")),
                name="official_leaves_after_arriving",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.post}"

    @property
    def organisation_id(self) -> int:
        return self.authority.organisation_id

    @property
    def organisation(self) -> Organisation:
        return self.authority.organisation


class ApplicationKind(models.TextChoices):
    VERIFICATION = "verification", _("Verification of Kazakh origin")
    QANDAS_STATUS = "qandas_status", _("Qandas status")
    VISA = "visa", _("Visa")
    EXIT_PERMIT = "exit_permit", _("Exit permit")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PROCESSED = "processed", _("Processed")
    SENT_FOR_CONSIDERATION = "sent_for_consideration", _("Sent for consideration")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    TRAVELLED = "travelled", _("Travelled")
    ARRIVED = "arrived", _("Arrived")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The pipeline, as data. Any state before ``arrived`` may also go to ``withdrawn``.
NEXT: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.ACKNOWLEDGED, Status.PROCESSED},
    Status.ACKNOWLEDGED: {Status.PROCESSED},
    Status.PROCESSED: {Status.SENT_FOR_CONSIDERATION, Status.APPROVED, Status.REFUSED},
    Status.SENT_FOR_CONSIDERATION: {Status.APPROVED, Status.REFUSED},
    Status.APPROVED: {Status.TRAVELLED},
    Status.TRAVELLED: {Status.ARRIVED},
    Status.REFUSED: {Status.SUBMITTED},
}
for _status in list(NEXT):
    NEXT[_status] = NEXT[_status] | {Status.WITHDRAWN}
# Waiting on the authority: an expected date that passes in these states is overdue.
PENDING = {
    Status.SUBMITTED,
    Status.ACKNOWLEDGED,
    Status.PROCESSED,
    Status.SENT_FOR_CONSIDERATION,
}


def allowed_moves(status: str) -> list[str]:
    """The statuses ``status`` may move to, in pipeline order."""
    return [s for s in Status.values if s in NEXT.get(status, set())]


def application_scope(user: User, *, write: bool = False) -> Q:
    """Applications of the people and households the user may see (coordinators: their
    cities'; liaisons and admins: the organisation's); writes for liaisons and admins."""
    roles = WRITERS if write else READERS
    people = Person.objects.filter(scope_filter(user, city_field="current_city", roles=roles))
    households = Household.objects.filter(scope_filter(user, city_field="city", roles=roles))
    return Q(person__in=people) | Q(household__in=households)


class BatchQuerySet(models.QuerySet["Batch"]):
    def visible_to(self, user: User) -> BatchQuerySet:
        return self.filter(organisation__in=organisations_where(user, READERS))

    def editable_by(self, user: User) -> BatchQuerySet:
        return self.filter(organisation__in=organisations_where(user, WRITERS))


class Batch(models.Model):
    """Applications sent or answered together ("requests of 300 people ... sent for
    consideration in December"); moved as one, recorded per application."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=300)
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("authority"),
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    notes = SensitiveTextField(_("notes"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return self.name

    def move_all(
        self, new: str, *, by: User, note: str = ""
    ) -> tuple[list[StatusChange], list[Application]]:
        """Move every application of the batch that may make this move, in one
        transaction. Returns the moves made and the applications left where they were."""
        moved: list[StatusChange] = []
        skipped: list[Application] = []
        with transaction.atomic():
            for application in self.applications.select_for_update().order_by("pk"):
                if new not in NEXT.get(application.status, set()):
                    skipped.append(application)
                    continue
                moved.append(
                    application.move_to(
                        new, by=by, note=note, expected=application.status, batch=self
                    )
                )
        return moved, skipped


class ApplicationQuerySet(models.QuerySet["Application"]):
    def visible_to(self, user: User) -> ApplicationQuerySet:
        return self.filter(application_scope(user))

    def editable_by(self, user: User) -> ApplicationQuerySet:
        return self.filter(application_scope(user, write=True))

    def overdue(self, today: date | None = None) -> ApplicationQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=PENDING, expected_decision_on__lt=today)


class Application(models.Model):
    """A request to an authority for a person or a whole household."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=15, choices=ApplicationKind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("authority"),
    )
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    expected_decision_on = models.DateField(_("decision expected by"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=25, choices=Status.choices, default=Status.DRAFT
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("batch"),
    )
    notes = SensitiveTextField(_("notes"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, household__isnull=True)
                    | Q(person__isnull=True, household__isnull=False)
                ),
                name="application_for_a_person_or_a_household",
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in PENDING
            and self.expected_decision_on is not None
            and self.expected_decision_on < timezone.localdate()
        )

    def allowed_moves(self) -> list[str]:
        return allowed_moves(self.status)

    def move_to(
        self,
        new: str,
        *,
        by: User,
        note: str = "",
        expected: str | None = None,
        batch: Batch | None = None,
    ) -> StatusChange:
        """Move along the pipeline: a conditional UPDATE and a history row, together.

        ``expected`` is the status the mover saw (a page's hidden field); if the
        application has moved since, nothing is overwritten and TransitionError says so.
        """
        seen = expected or self.status
        if new not in NEXT.get(seen, set()):
            raise TransitionError(
                str(
                    _("An application that is “%(old)s” cannot become “%(new)s”.")
                    % {"old": Status(seen).label, "new": Status(new).label}
                )
            )
        now = timezone.now()
        with transaction.atomic():
            moved = Application.objects.filter(pk=self.pk, status=seen).update(
                status=new, status_changed_at=now, updated_at=now
            )
            if moved != 1:
                current = Application.objects.filter(pk=self.pk).values_list("status", flat=True)
                raise TransitionError(
                    str(
                        _(
                            "Someone else moved this application to “%(now)s” first. "
                            "Nothing was changed; look at it again and decide."
                        )
                        % {"now": Status(current.first() or seen).label}
                    ),
                    conflict=True,
                )
            change = StatusChange.objects.create(
                application=self, old=seen, new=new, by=by, at=now, note=note, batch=batch
            )
        self.status, self.status_changed_at = new, now
        return change


class StatusChange(models.Model):
    """One move of an application: who, when, from what to what, and why. Append-only."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="history")
    old = models.CharField(max_length=25, choices=Status.choices)
    new = models.CharField(max_length=25, choices=Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Status history is append-only.")
        super().save(*args, **kwargs)
