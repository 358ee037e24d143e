"""Forms for custody tracking: every field listed, every choice scoped to the user."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import City, Role, User
from qandas.incidents.models import (
    Channel,
    ClockSettings,
    DutyRota,
    EventKind,
    Place,
    PlaceKind,
    Reliability,
    SearchAnswer,
    Source,
    TimePrecision,
    custody_people,
)
from qandas.incidents.models.events import DocumentShown
from qandas.lib.files import CleanFile, clean_upload
from qandas.people.models import Household, Person

WHEN_FORMAT = "%Y-%m-%dT%H:%M"


def when_field(label: Any = None, **kwargs: Any) -> forms.DateTimeField:
    """A date and time typed on a phone: the browser's own picker, in the user's zone."""
    return forms.DateTimeField(
        label=label or _("When"),
        input_formats=[WHEN_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WHEN_FORMAT),
        **kwargs,
    )


def now_local() -> str:
    return timezone.localtime().strftime(WHEN_FORMAT)


class PersonChoices(forms.ModelMultipleChoiceField):
    """People to tick, shown by their primary name, posted by their code."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(queryset.prefetch_related("names"), to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        label = obj.primary_name
        if obj.relationship:
            label += f" ({obj.get_relationship_display()})"
        return str(label)


def places_for(user: User) -> QuerySet[Place]:
    return Place.objects.visible_to(user).select_related("city")


class PlaceChoice(forms.ModelChoiceField):
    def __init__(self, queryset: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(queryset, to_field_name="code", required=False, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        city = f", {obj.city}" if obj.city_id else ""
        return f"{obj.name} ({obj.get_kind_display()}{city})"


def household_choice_label(household: Household) -> str:
    """A household told apart by its head's name and area (never the address)."""
    members = list(household.members.all())
    head = next((m for m in members if m.relationship == "head"), members[0] if members else None)
    name = head.primary_name if head else _("(nobody registered)")
    return f"{name}: {household.city}, {household.area or '—'}"


class HouseholdPickForm(forms.Form):
    """Step one of the arrest screen: whose home was raided."""

    household = forms.ModelChoiceField(
        label=_("Household"), queryset=Household.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        writable = custody_people(user, write=True)
        households = (
            Household.objects.filter(members__in=writable)
            .distinct()
            .select_related("city")
            .prefetch_related("members__names")
            .order_by("city__name", "area", "created_at")
        )
        field = self.fields["household"]
        field.queryset = households  # type: ignore[attr-defined]
        field.label_from_instance = household_choice_label  # type: ignore[attr-defined]


class ArrestForm(forms.Form):
    """Step two: who was taken, when, where to, and whether their letter was respected."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    people = PersonChoices(Person.objects.none(), label=_("Who was taken"))
    occurred_at = when_field(_("When"))
    place = PlaceChoice(Place.objects.none(), label=_("Taken to (if known)"))
    document_shown = forms.ChoiceField(
        label=_("Protection letter"),
        choices=DocumentShown.choices,
        initial=DocumentShown.IGNORED,
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(label=_("Who tells us"), choices=Source.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "dir": "auto"}),
    )

    def __init__(self, *args: Any, user: User, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = (  # type: ignore[attr-defined]
            custody_people(user, write=True)
            .filter(household=household)
            .prefetch_related("names")
            .order_by("relationship", "created_at")
        )
        self.fields["place"].queryset = places_for(user).filter(  # type: ignore[attr-defined]
            organisation=household.organisation,
            kind__in=[PlaceKind.POLICE_STATION, PlaceKind.PRISON, PlaceKind.COURT],
        )


class EventForm(forms.Form):
    """Any event, for a person and (ticked) others of their household."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("What happened"), choices=EventKind.choices)
    people = PersonChoices(Person.objects.none(), label=_("Who"))
    occurred_at = when_field()
    precision = forms.ChoiceField(
        label=_("How exact is the time"),
        choices=TimePrecision.choices,
        initial=TimePrecision.MINUTE,
    )
    place = PlaceChoice(
        Place.objects.none(),
        label=_("Place"),
        help_text=_(
            "Where it happened: the station asked, where they are held, the court, "
            "or the border crossing of a deportation."
        ),
    )
    answer = forms.ChoiceField(
        label=_("Answer (searches)"), choices=[("", "—"), *SearchAnswer.choices], required=False
    )
    asked_by = forms.CharField(
        label=_("Asked by (searches)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    channel = forms.ChoiceField(
        label=_("Contact by (contacts)"), choices=[("", "—"), *Channel.choices], required=False
    )
    reported_location = forms.CharField(
        label=_("Where they said they are (contacts)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    document_shown = forms.ChoiceField(
        label=_("Protection letter (raids and arrests)"),
        choices=DocumentShown.choices,
        initial=DocumentShown.UNKNOWN,
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    source_detail = forms.CharField(
        label=_("Source details"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    reliability = forms.ChoiceField(
        label=_("Reliability of the source"), choices=Reliability.choices, initial=Reliability.F
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "dir": "auto"}),
    )

    def __init__(
        self, *args: Any, user: User, person: Person, organisation_id: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        writable = custody_people(user, write=True).filter(organisation_id=organisation_id)
        if person.household_id:
            people = writable.filter(household_id=person.household_id) | writable.filter(
                pk=person.pk
            )
        else:
            people = writable.filter(pk=person.pk)
        self.fields["people"].queryset = people.order_by("relationship", "created_at")  # type: ignore[attr-defined]
        self.fields["place"].queryset = places_for(user).filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        )

    def values(self) -> dict[str, Any]:
        """The cleaned values as ``actions.record_event`` takes them."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "kind",
                "occurred_at",
                "precision",
                "place",
                "answer",
                "asked_by",
                "channel",
                "reported_location",
                "document_shown",
                "source",
                "source_detail",
                "reliability",
                "notes",
            )
        }


class CorrectionForm(EventForm):
    reason = forms.CharField(
        label=_("Why is it corrected?"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )


class RetractForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it retracted?"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )


def members_with_role(organisation_id: int, role: str) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organisation_id=organisation_id,
        memberships__role=role,
        memberships__is_active=True,
    ).order_by("username")


class AssignForm(forms.Form):
    lawyer = forms.ModelChoiceField(
        label=_("Lawyer"), queryset=User.objects.none(), to_field_name="code", required=False
    )
    coordinator = forms.ModelChoiceField(
        label=_("Second coordinator"),
        queryset=User.objects.none(),
        to_field_name="code",
        required=False,
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = members_with_role(organisation_id, Role.LAWYER)  # type: ignore[attr-defined]
        self.fields["coordinator"].queryset = members_with_role(  # type: ignore[attr-defined]
            organisation_id, Role.COORDINATOR
        )
        for name in ("lawyer", "coordinator"):
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]


class RotaForm(forms.ModelForm):
    class Meta:
        model = DutyRota
        fields = ["city", "on", "lawyer"]
        widgets = {"on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(
        self, *args: Any, organisation_id: int, cities: QuerySet[City], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities  # type: ignore[attr-defined]
        self.fields["lawyer"].queryset = members_with_role(organisation_id, Role.LAWYER)  # type: ignore[attr-defined]
        self.fields["lawyer"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]
        self.organisation_id = organisation_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        city, on = cleaned.get("city"), cleaned.get("on")
        if city is not None and on is not None and on < timezone.localdate():
            self.add_error("on", _("The rota is for today or later."))
        return cleaned


class PlaceForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = ["kind", "name", "city", "admin_code", "latitude", "longitude"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"dir": "auto"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, name = cleaned.get("kind"), cleaned.get("name")
        same = Place.objects.filter(
            organisation_id=self.instance.organisation_id, kind=kind, name__iexact=name or ""
        ).exclude(pk=self.instance.pk)
        if kind and name and same.exists():
            self.add_error(
                "name", _("Your organisation already has a place of this kind and name.")
            )
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return cleaned


class ClockSettingsForm(forms.ModelForm):
    class Meta:
        model = ClockSettings
        fields = [
            "unlocated_warning_hours",
            "unlocated_alarm_hours",
            "magistrate_hours",
            "out_of_contact_days",
            "hearing_notice_hours",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        warning, alarm = (
            cleaned.get("unlocated_warning_hours"),
            cleaned.get("unlocated_alarm_hours"),
        )
        if warning is not None and alarm is not None and warning > alarm:
            self.add_error(
                "unlocated_warning_hours", _("The warning must come before the alarm, not after.")
            )
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, up to 15 MB. Hidden details are removed."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean_file(self) -> CleanFile:
        return clean_upload(self.cleaned_data["file"])


class BoardFilterForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All my cities"),
    )


def new_key() -> uuid.UUID:
    return uuid.uuid4()
