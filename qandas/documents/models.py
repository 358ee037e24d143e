"""Identity and protection papers of a person, and their scans."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import Organisation, User
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.lib.numbers import number_key
from qandas.lib.stored import StoredFile
from qandas.people.models import Person

if TYPE_CHECKING:
    from django.http import HttpRequest

    from qandas.lib.files import CleanFile


class DocumentKind(models.TextChoices):
    PROTECTION_LETTER = "protection_letter", _("Protection letter (Ministry of Interior)")
    POR_CARD = "por_card", _("PoR card")
    ACC = "afghan_citizen_card", _("Afghan Citizen Card")
    TAZKIRA = "tazkira", _("Tazkira")
    PASSPORT = "passport", _("Passport")
    EMBASSY_RECEIPT = "embassy_receipt", _("Embassy receipt")
    QANDAS_CERTIFICATE = "qandas_certificate", _("Qandas certificate")
    COURT_ORDER = "court_order", _("Court order")
    OTHER = "other", _("Other")


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    UNVERIFIED = "unverified", _("Unverified")


class Respected(models.TextChoices):
    UNKNOWN = "unknown", _("Not known")
    RESPECTED = "respected", _("Respected by police")
    IGNORED = "ignored", _("Shown and ignored by police")
    NOT_SHOWN = "not_shown", _("Not shown")


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: User) -> DocumentQuerySet:
        """Documents of the people the user may see."""
        return self.filter(person__in=Person.objects.visible_to(user))

    def editable_by(self, user: User) -> DocumentQuerySet:
        return self.filter(person__in=Person.objects.editable_by(user))

    def expired(self, today: object = None) -> DocumentQuerySet:
        """Marked expired, or past their valid-until date."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(status=DocumentStatus.EXPIRED) | models.Q(valid_until__lt=today)
        )


class Document(models.Model):
    """A paper that identifies or protects a person."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=25, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    # The number as numbers are compared (``lib.numbers.number_key``), kept by ``save``,
    # the import and redaction: a search given a number finds its holders by index,
    # however it was written.
    number_key = models.CharField(max_length=200, blank=True, default="", editable=False)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DocumentStatus.choices,
        default=DocumentStatus.UNVERIFIED,
    )
    respected_at_arrest = models.CharField(
        _("respected by police at an arrest"),
        max_length=10,
        choices=Respected.choices,
        default=Respected.UNKNOWN,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["person", "kind", "-issued_on"]
        verbose_name = _("document")
        indexes = [models.Index(fields=["number_key"], name="document_number_key")]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.number_key = number_key(self.number)
        fields = kwargs.get("update_fields")
        if fields is not None and "number" in fields:
            kwargs["update_fields"] = [*fields, "number_key"]
        super().save(*args, **kwargs)

    @property
    def is_expired(self) -> bool:
        if self.status == DocumentStatus.EXPIRED:
            return True
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    def clean(self) -> None:
        """Dates that cannot be true: issued in the future, or valid before issue."""
        errors = {}
        if self.issued_on is not None and self.issued_on > timezone.localdate():
            errors["issued_on"] = _("The issue date cannot be in the future.")
        if (
            self.issued_on is not None
            and self.valid_until is not None
            and self.valid_until < self.issued_on
        ):
            errors["valid_until"] = _("“Valid until” cannot be before the issue date.")
        if errors:
            raise ValidationError(errors)

    def add_scan(self, clean: CleanFile, *, by: User, request: HttpRequest | None = None) -> Scan:
        """Store a cleaned file, attach it to this document and audit the upload.

        The file is written first; if the row cannot be saved, the file is removed.
        """
        with transaction.atomic():
            scan = Scan.store(clean, by=by, document=self)
            record(
                Verb.CREATE,
                actor=by,
                request=request,
                obj=scan,
                fields=["display_name", "content_type", "size"],
            )
        return scan


class ScanQuerySet(models.QuerySet["Scan"]):
    def visible_to(self, user: User) -> ScanQuerySet:
        return self.filter(document__in=Document.objects.visible_to(user))

    def editable_by(self, user: User) -> ScanQuerySet:
        return self.filter(document__in=Document.objects.editable_by(user))


class Scan(StoredFile):
    """A cleaned file of a document, stored under a server-made name outside the web root."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="scans")

    objects = ScanQuerySet.as_manager()

    class Meta(StoredFile.Meta):
        verbose_name = _("scan")

    # The audit trail files a scan under its document's organisation.
    @property
    def organisation_id(self) -> int:
        return self.document.organisation_id

    @property
    def organisation(self) -> Organisation:
        return self.document.organisation
