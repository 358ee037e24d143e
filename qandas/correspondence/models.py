"""Letters in and out, their threads, and the promises officials make in them."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import Organisation, User
from qandas.applications.models import (
    READERS,
    WRITERS,
    Application,
    Authority,
    Batch,
    Official,
    organisations_where,
)
from qandas.lib.fields import SensitiveTextField
from qandas.lib.stored import StoredFile
from qandas.people.models import Person

DUE_SOON = timedelta(days=14)


class Direction(models.TextChoices):
    INCOMING = "in", _("Received")
    OUTGOING = "out", _("Sent")


class LetterQuerySet(models.QuerySet["Letter"]):
    def visible_to(self, user: User) -> LetterQuerySet:
        return self.filter(organisation__in=organisations_where(user, READERS))

    def editable_by(self, user: User) -> LetterQuerySet:
        return self.filter(organisation__in=organisations_where(user, WRITERS))


class Letter(models.Model):
    """A letter sent to or received from an authority; replies form threads."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    dated_on = models.DateField(_("date"))
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="letters", verbose_name=_("authority")
    )
    official = models.ForeignKey(
        Official,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("official"),
        help_text=_("Who wrote it, or to whom it was addressed, at the time."),
    )
    sender = models.CharField(
        _("our side"),
        max_length=200,
        blank=True,
        help_text=_("Who wrote it on our side, or to whom it was addressed."),
    )
    subject = models.CharField(_("subject"), max_length=300)
    text = SensitiveTextField(_("text"))
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    people = models.ManyToManyField(Person, blank=True, related_name="+")
    applications = models.ManyToManyField(Application, blank=True, related_name="letters")
    batches = models.ManyToManyField(Batch, blank=True, related_name="letters")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-dated_on", "-created_at"]
        verbose_name = _("letter")

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        errors = {}
        if self.dated_on and self.dated_on > timezone.localdate():
            errors["dated_on"] = _("A letter cannot be dated in the future.")
        if self.reply_to_id is not None:
            parent = self.reply_to
            assert parent is not None
            if parent.organisation_id != self.organisation_id:
                errors["reply_to"] = _("That letter is not one of your organisation's.")
            elif self.dated_on and parent.dated_on > self.dated_on:
                errors["reply_to"] = _("A reply cannot be dated before the letter it answers.")
            elif parent.pk == self.pk:
                errors["reply_to"] = _("A letter cannot answer itself.")
        if self.official_id is not None and self.official.authority_id != self.authority_id:  # type: ignore[union-attr]
            errors["official"] = _("That official works for another authority.")
        if errors:
            raise ValidationError(errors)

    def thread(self) -> list[Letter]:
        """The whole exchange this letter belongs to, oldest first."""
        root, climbed = self, {self.pk}
        while root.reply_to_id is not None and root.reply_to_id not in climbed:
            root = root.reply_to  # type: ignore[assignment]
            climbed.add(root.pk)
        found, seen, todo = [root], {root.pk}, [root]
        while todo:
            replies = list(Letter.objects.filter(reply_to__in=todo).exclude(pk__in=seen))
            seen |= {r.pk for r in replies}
            found += replies
            todo = replies
        return sorted(found, key=lambda letter: (letter.dated_on, letter.created_at))


class LetterScanQuerySet(models.QuerySet["LetterScan"]):
    def visible_to(self, user: User) -> LetterScanQuerySet:
        return self.filter(letter__in=Letter.objects.visible_to(user))

    def editable_by(self, user: User) -> LetterScanQuerySet:
        return self.filter(letter__in=Letter.objects.editable_by(user))


class LetterScan(StoredFile):
    """A cleaned file of a letter (``LetterScan.store(clean, by=, letter=)``)."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="scans")

    objects = LetterScanQuerySet.as_manager()

    @property
    def organisation_id(self) -> int:
        return self.letter.organisation_id

    @property
    def organisation(self) -> Organisation:
        return self.letter.organisation


class DuePrecision(models.TextChoices):
    DAY = "day", _("On that day")
    MONTH = "month", _("In that month")
    YEAR = "year", _("In that year")


def resolve_due(day: date, precision: str) -> date:
    """The last day a promise can still be kept: "in December" means 31 December."""
    if precision == DuePrecision.MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == DuePrecision.YEAR:
        return day.replace(month=12, day=31)
    return day


class PromiseState(models.TextChoices):
    PROMISED = "promised", _("Promised")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    REPROMISED = "repromised", _("Promised again")


class PromiseQuerySet(models.QuerySet["Promise"]):
    def visible_to(self, user: User) -> PromiseQuerySet:
        return self.filter(organisation__in=organisations_where(user, READERS))

    def editable_by(self, user: User) -> PromiseQuerySet:
        return self.filter(organisation__in=organisations_where(user, WRITERS))

    def with_state(self, today: date | None = None) -> PromiseQuerySet:
        """Annotate ``current_state``: an unkept promise whose date has passed is broken, by
        itself, the moment the date passes; no job has to run for it."""
        today = today or timezone.localdate()
        return self.annotate(
            current_state=Case(
                When(kept_on__isnull=False, then=Value(PromiseState.KEPT)),
                When(due_on__lt=today, then=Value(PromiseState.BROKEN)),
                When(slip_count__gt=0, then=Value(PromiseState.REPROMISED)),
                default=Value(PromiseState.PROMISED),
                output_field=models.CharField(),
            )
        )

    def in_state(self, state: str, today: date | None = None) -> PromiseQuerySet:
        return self.with_state(today).filter(current_state=state)  # type: ignore[misc]

    def worst_first(self, today: date | None = None) -> PromiseQuerySet:
        """Broken first (longest late first), then due soonest, then the rest; kept last."""
        today = today or timezone.localdate()
        return (
            self.with_state(today)
            .annotate(
                rank=Case(
                    When(current_state=PromiseState.BROKEN, then=Value(0)),
                    When(due_on__lte=today + DUE_SOON, kept_on__isnull=True, then=Value(1)),
                    When(kept_on__isnull=True, then=Value(2)),
                    default=Value(3),
                    output_field=models.IntegerField(),
                )
            )
            .order_by("rank", "due_on", "pk")
        )


class Promise(models.Model):
    """Something an official said will happen by a date, from a letter or a meeting.

    The due date may be imprecise: "in December" is kept until the last day of
    December. A later date given for the same promise is a slip; every slip is kept.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="promises", verbose_name=_("authority")
    )
    official = models.ForeignKey(
        Official,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promises",
        verbose_name=_("official"),
    )
    letter = models.ForeignKey(
        Letter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="promises",
        verbose_name=_("letter"),
    )
    meeting_on = models.DateField(
        _("meeting date"), null=True, blank=True, help_text=_("When it was said at a meeting.")
    )
    made_on = models.DateField(_("promised on"))
    quote = models.TextField(_("their words"))
    due_on = models.DateField(_("due by"))
    due_precision = models.CharField(
        _("how exact is the date"),
        max_length=5,
        choices=DuePrecision.choices,
        default=DuePrecision.DAY,
    )
    slip_count = models.PositiveSmallIntegerField(default=0, editable=False)
    kept_on = models.DateField(_("kept on"), null=True, blank=True)
    applications = models.ManyToManyField(Application, blank=True, related_name="promises")
    batches = models.ManyToManyField(Batch, blank=True, related_name="promises")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("promise")

    def __str__(self) -> str:
        return self.quote[:60]

    @property
    def state(self) -> str:
        """``promised``, ``kept``, ``broken`` (an unkept date has passed) or ``repromised``."""
        if self.kept_on is not None:
            return PromiseState.KEPT
        if self.due_on < timezone.localdate():
            return PromiseState.BROKEN
        return PromiseState.REPROMISED if self.slip_count else PromiseState.PROMISED

    def get_state_display(self) -> str:
        return str(PromiseState(self.state).label)

    @property
    def days_late(self) -> int:
        if self.kept_on is not None:
            return max(0, (self.kept_on - self.due_on).days)
        return max(0, (timezone.localdate() - self.due_on).days)

    def clean(self) -> None:
        errors = {}
        if self.letter_id is None and self.meeting_on is None:
            errors["letter"] = _("Say which letter or meeting it comes from.")
        if self.due_on and self.made_on and self.due_on < self.made_on:
            errors["due_on"] = _("The due date cannot be before the promise was made.")
        letter = self.letter
        if letter is not None and self.made_on and self.made_on < letter.dated_on:
            errors["made_on"] = _("A promise cannot come before the letter that holds it.")
        if letter is not None and self.due_on and self.due_on < letter.dated_on:
            errors["due_on"] = _("The due date cannot be before the letter's date.")
        if letter is not None and letter.organisation_id != self.organisation_id:
            errors["letter"] = _("That letter is not one of your organisation's.")
        if self.official_id is not None and self.official.authority_id != self.authority_id:  # type: ignore[union-attr]
            errors["official"] = _("That official works for another authority.")
        if errors:
            raise ValidationError(errors)

    def slip(
        self,
        new_due: date,
        *,
        precision: str,
        by: User,
        letter: Letter | None = None,
        quote: str = "",
        on: date | None = None,
    ) -> Slip:
        """A new date for the same promise: the old one is kept as a slip."""
        on = on or (letter.dated_on if letter else timezone.localdate())
        due = resolve_due(new_due, precision)
        if self.kept_on is not None:
            raise ValidationError(_("This promise was kept; it cannot slip any more."))
        if due < on:
            raise ValidationError({"due_on": _("The new date cannot be before it was given.")})
        if letter is not None and letter.organisation_id != self.organisation_id:
            raise ValidationError({"letter": _("That letter is not one of your organisation's.")})
        with transaction.atomic():
            locked = Promise.objects.select_for_update().get(pk=self.pk)
            slip = Slip.objects.create(
                promise=self,
                old_due_on=locked.due_on,
                old_precision=locked.due_precision,
                new_due_on=due,
                new_precision=precision,
                letter=letter,
                quote=quote,
                given_on=on,
                by=by,
            )
            Promise.objects.filter(pk=self.pk).update(
                due_on=due, due_precision=precision, slip_count=models.F("slip_count") + 1
            )
        self.refresh_from_db()
        return slip

    def keep(self, on: date, *, by: User) -> None:
        if on < self.made_on:
            raise ValidationError({"kept_on": _("It cannot be kept before it was made.")})
        Promise.objects.filter(pk=self.pk).update(kept_on=on)
        self.kept_on = on


class Slip(models.Model):
    """A promise's date moved: from when to when, given in which letter. Append-only."""

    promise = models.ForeignKey(Promise, on_delete=models.PROTECT, related_name="slips")
    old_due_on = models.DateField()
    old_precision = models.CharField(max_length=5, choices=DuePrecision.choices)
    new_due_on = models.DateField()
    new_precision = models.CharField(max_length=5, choices=DuePrecision.choices)
    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="slips"
    )
    quote = models.TextField(blank=True)
    given_on = models.DateField()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.old_due_on} → {self.new_due_on}"
