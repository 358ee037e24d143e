"""People, their names in any script, and the households they live in."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from qandas.lib.files import CleanFile

from qandas.accounts.models import City, Organisation, Role, User
from qandas.lib import files
from qandas.lib.fields import PhoneNumbersField, SensitiveTextField
from qandas.lib.scripts import ARABIC, CYRILLIC, LATIN, OTHER, detect_script

REDACTED = "[redacted]"


def fold(text: str) -> str:
    """A name's search form: case folded in every script (SQLite's LIKE folds ASCII only)."""
    return text.casefold()


# Sent with ``person`` and ``by`` inside the redaction's transaction, so that apps
# above this one (documents, incidents) blank what they hold about the person.
person_redacted = Signal()

# Sent with ``person`` whenever a person's names are replaced or redacted, inside the
# transaction, so that the matching app keeps its search keys in step.
names_changed = Signal()

# Sent with ``membership`` when a lawyer's scope of people is built; a receiver
# returns a ``Q`` over Person for the people assigned to them (the incidents app
# answers with the people of the custody episodes the lawyer is assigned to).
lawyer_people = Signal()

ALL_READERS = (Role.COORDINATOR, Role.LAWYER, Role.LIAISON, Role.ADMIN)


def scope_filter(
    user: User, *, city_field: str, roles: tuple[str, ...] = ALL_READERS, people: bool = False
) -> Q:
    """Who sees which people and households (DESIGN section 1).

    Liaisons and admins: their whole organisation. Coordinators and lawyers: the
    records whose city is one of theirs, and for lawyers (``people=True``) also the
    people assigned to them. Analysts: no individual record at all. ``roles`` narrows
    the memberships that count (custody records are not for liaisons).
    """
    condition = Q(pk__in=[])
    for membership in user.scope_with_cities():
        if membership.role not in roles:
            continue
        if membership.role in (Role.LIAISON, Role.ADMIN):
            condition |= Q(organisation_id=membership.organisation_id)
        elif membership.role in (Role.COORDINATOR, Role.LAWYER):
            cities = [city.pk for city in membership.cities.all()]
            condition |= Q(
                organisation_id=membership.organisation_id, **{f"{city_field}__in": cities}
            )
            if people and membership.role == Role.LAWYER:
                for _receiver, extra in lawyer_people.send(sender=Person, membership=membership):
                    if isinstance(extra, Q):
                        condition |= extra & Q(organisation_id=membership.organisation_id)
    return condition


def edit_filter(user: User, *, city_field: str) -> Q:
    """Coordinators change the records of their cities; admins their organisation's."""
    condition = Q(pk__in=[])
    for membership in user.scope_with_cities():
        if membership.role == Role.ADMIN:
            condition |= Q(organisation_id=membership.organisation_id)
        elif membership.role == Role.COORDINATOR:
            cities = [city.pk for city in membership.cities.all()]
            condition |= Q(
                organisation_id=membership.organisation_id, **{f"{city_field}__in": cities}
            )
    return condition


class Script(models.TextChoices):
    LATIN = LATIN, _("Latin")
    CYRILLIC = CYRILLIC, _("Cyrillic")
    ARABIC = ARABIC, _("Arabic script")
    OTHER = OTHER, _("Other")


class NameSource(models.TextChoices):
    SELF = "self", _("Self-declared")
    PASSPORT = "passport", _("Passport")
    EMBASSY_LIST = "embassy_list", _("Embassy list")
    POLICE_RECORD = "police_record", _("Police record")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    ABOUT = "about", _("About (year)")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class HouseholdQuerySet(models.QuerySet["Household"]):
    def visible_to(self, user: User) -> HouseholdQuerySet:
        return self.filter(scope_filter(user, city_field="city"))

    def editable_by(self, user: User) -> HouseholdQuerySet:
        return self.filter(edit_filter(user, city_field="city"))


class Household(models.Model):
    """People living together, at one address. The address and phones are masked."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    area = models.CharField(_("area"), max_length=120, blank=True)
    address = SensitiveTextField(_("address"))
    phones = PhoneNumbersField(_("contact phones"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("household")

    def __str__(self) -> str:
        return str(_("Household in %(city)s") % {"city": self.city})


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: User, *, roles: tuple[str, ...] = ALL_READERS) -> PersonQuerySet:
        """Every read of people starts here; ``roles`` narrows which memberships count.

        A record merged into another is gone from every list, search and page.
        """
        return self.filter(
            scope_filter(user, city_field="current_city", roles=roles, people=True),
            merged_into__isnull=True,
        )

    def editable_by(self, user: User) -> PersonQuerySet:
        return self.filter(edit_filter(user, city_field="current_city")).filter(
            redacted_at__isnull=True, merged_into__isnull=True
        )

    def search(self, text: str) -> PersonQuerySet:
        """People with a name containing ``text`` (any script, case-insensitive)."""
        text = text.strip()
        if not text:
            return self
        return self.filter(pk__in=Name.objects.filter(folded__contains=fold(text)).values("person"))


class Person(models.Model):
    """One human being, in one organisation, with a current city."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    current_city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="+", verbose_name=_("current city")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relationship = models.CharField(
        _("relationship in household"),
        max_length=10,
        choices=Relationship.choices,
        blank=True,
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    father_name = models.CharField(_("father's name"), max_length=200, blank=True)
    clan = models.CharField(_("clan"), max_length=100, blank=True)
    place_of_origin = models.CharField(_("place of origin"), max_length=200, blank=True)
    phones = PhoneNumbersField(_("phone numbers"))
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("For example: Kazakh, Dari, Urdu")
    )
    notes = SensitiveTextField(_("notes"))
    # A re-encoded JPEG or PNG in the private file store (qandas.lib.files), never
    # under the web root; served only through a permission-checked view.
    photo = models.CharField(max_length=100, blank=True, editable=False)
    photo_content_type = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The person's identifier in an organisation's own spreadsheet (import_people).
    external_id = models.CharField(_("external identifier"), max_length=100, blank=True)
    # A form posted twice over a flaky connection creates one person, not two.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Set when this record was merged into another (matching.duplicates); cleared by undo.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # Each of the names romanised (``matching.keys.romanised``), sorted, apart on lines;
    # empty once redacted or merged. Kept by ``matching.index`` with the name keys, never
    # by a save (``save``): a search reads it with the access gate, one row a person, and
    # reading it from the keys too took as long again (4 ms of a search at 1M people).
    romanised = models.TextField(default="", blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_unique",
            )
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.primary_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a person loaded before their names changed must not write back the
        romanised names read then: an existing person's save writes every field but
        ``romanised``, which only ``matching.index`` writes."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()  # as Django saves a partly loaded row
            kwargs["update_fields"] = [f for f in SAVED_FIELDS if f not in deferred]
        super().save(*args, **kwargs)

    def birth_date_text(self) -> str:
        """The birth date as precisely as it is known, and no more: a year known alone
        is never shown as the first of January."""
        born = self.birth_date
        if born is None:
            return ""
        precision = self.birth_date_precision
        if precision == DatePrecision.MONTH:
            return born.strftime("%Y-%m")
        if precision == DatePrecision.YEAR:
            return str(born.year)
        if precision == DatePrecision.ABOUT:
            return str(_("about %(year)s") % {"year": born.year})
        return born.isoformat()

    @property
    def primary_name(self) -> str:
        names = list(self.names.all())
        primary = next((n for n in names if n.is_primary), names[0] if names else None)
        return primary.text if primary else str(_("(no name)"))

    @property
    def is_redacted(self) -> bool:
        return self.redacted_at is not None

    def set_names(self, names: list[dict[str, Any]]) -> None:
        """Replace the names: each ``{"text", "source"?, "primary"?}``; script is detected.

        The first name is primary unless another says so. Texts are kept exactly as typed.
        A name whose text is unchanged keeps its row (its source, primary and position
        updated): a merge's undo gives back the rows it moved (``people.repoint``), and
        an edit of the survivor's other names must not turn them into new ones.
        """
        if not any(n.get("primary") for n in names) and names:
            names = [{**names[0], "primary": True}, *names[1:]]
        with transaction.atomic():
            rows: dict[str, list[Name]] = {}
            for row in self.names.order_by("position", "pk"):
                rows.setdefault(row.text, []).append(row)
            kept: list[Name] = []
            new: list[Name] = []
            for i, n in enumerate(names):
                source = n.get("source") or NameSource.OTHER
                primary = bool(n.get("primary"))
                same = rows.get(n["text"])
                if same:
                    row = same.pop(0)
                    row.source, row.is_primary, row.position = source, primary, i
                    kept.append(row)
                    continue
                new.append(
                    Name(
                        person=self,
                        text=n["text"],
                        script=detect_script(n["text"]),
                        folded=fold(n["text"]),
                        source=source,
                        is_primary=primary,
                        position=i,
                    )
                )
            self.names.exclude(pk__in=[row.pk for row in kept]).delete()
            Name.objects.bulk_update(kept, ["source", "is_primary", "position"])
            Name.objects.bulk_create(new)
            names_changed.send(sender=Person, person=self)

    def set_photo(self, clean: CleanFile, *, by: User) -> None:
        """Keep a cleaned image as the person's photo, replacing (and deleting) the old one."""
        if not clean.content_type.startswith("image/"):
            raise ValidationError(
                {"photo": _("A photo must be a JPEG or PNG image, not a PDF.")}, code="not_image"
            )
        old = self.photo
        storage_name = files.store(clean.data, clean.extension)
        try:
            with transaction.atomic():
                Person.objects.filter(pk=self.pk).update(
                    photo=storage_name, photo_content_type=clean.content_type
                )
        except BaseException:
            files.delete_stored(storage_name)
            raise
        self.photo, self.photo_content_type = storage_name, clean.content_type
        if old:
            drop_photo(old)

    def redact(self, *, by: User) -> list[str]:
        """Blank every identifying field; keep the record and its non-identifying history.

        Returns the names of the fields that were blanked (for the audit trail).
        """
        blanked = [
            "names",
            "father_name",
            "clan",
            "place_of_origin",
            "phones",
            "notes",
            "birth_date",
            "languages",
        ]
        with transaction.atomic():
            self.names.all().delete()
            Name.objects.create(person=self, text=REDACTED, is_primary=True)
            self.father_name = self.clan = self.place_of_origin = self.languages = ""
            self.phones = []
            self.notes = ""
            if self.photo:
                drop_photo(self.photo)
                self.photo = self.photo_content_type = ""
                blanked.append("photo")
            self.birth_date = None
            self.redacted_at = timezone.now()
            self.save()
            names_changed.send(sender=Person, person=self)
            for _receiver, extra in person_redacted.send(sender=Person, person=self, by=by):
                blanked.extend(extra or [])
        return blanked


def drop_photo(storage_name: str) -> None:
    """Delete a stored photo a person no longer holds, once the transaction commits, if
    no other record holds it then: a merge gives the record kept the photo it lacked,
    the same file, and the merged record keeps it too (``people.repoint.CARRIED``)."""

    def dropped() -> None:
        if not Person.objects.filter(photo=storage_name).exists():
            files.delete_stored(storage_name)

    transaction.on_commit(dropped)


# What ``Person.save`` writes of a person already saved: every field but ``romanised``.
SAVED_FIELDS = [
    f.attname for f in Person._meta.concrete_fields if not f.primary_key and f.name != "romanised"
]


class Name(models.Model):
    """One way a person's name is written, in one script, from one source."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    text = models.CharField(_("name"), max_length=200)
    script = models.CharField(_("script"), max_length=10, choices=Script.choices)
    source = models.CharField(
        _("source"), max_length=15, choices=NameSource.choices, default=NameSource.OTHER
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    folded = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        ordering = ["person", "-is_primary", "position", "pk"]
        verbose_name = _("name")

    def __str__(self) -> str:
        return self.text

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.script = detect_script(self.text)
        self.folded = fold(self.text)
        super().save(*args, **kwargs)
