"""Forms for letters and promises: every field listed, every choice scoped to the user."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import Organisation, User
from qandas.applications.models import Application, Authority, Batch, Official
from qandas.correspondence.models import (
    Direction,
    DuePrecision,
    Letter,
    Promise,
    PromiseState,
    resolve_due,
)
from qandas.documents.forms import ScanForm
from qandas.people.models import Person

__all__ = [
    "KeepForm",
    "LetterFilterForm",
    "LetterForm",
    "MeetingPromiseForm",
    "PromiseFilterForm",
    "PromiseForm",
    "ScanForm",
    "SlipForm",
    "TimelineForm",
]

NOT_OURS = _("That letter is not one of your organisation's.")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ByCode(forms.ModelChoiceField):
    """A choice posted by the record's code, never its database id."""

    def __init__(self, queryset: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(queryset, to_field_name="code", **kwargs)


class ManyByCode(forms.ModelMultipleChoiceField):
    def __init__(self, queryset: QuerySet[Any], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(queryset, to_field_name="code", **kwargs)


class ApplicationChoices(ManyByCode):
    def label_from_instance(self, obj: Any) -> str:
        parts = [str(obj.get_kind_display()), str(obj.authority)]
        if obj.reference:
            parts.append(obj.reference)
        parts.append(str(obj.get_status_display()))
        return " · ".join(parts)


class PeopleChoices(ManyByCode):
    def __init__(self, queryset: QuerySet[Any], **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 6}))
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.primary_name)


class OfficialChoice(ByCode):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}, {obj.post} ({obj.authority})"


def officials_of(organisation: Organisation) -> QuerySet[Official]:
    return Official.objects.filter(authority__organisation=organisation).select_related("authority")


def applications_for(user: User, organisation: Organisation) -> QuerySet[Application]:
    return (
        Application.objects.visible_to(user)
        .filter(organisation=organisation)
        .select_related("authority")
        .order_by("authority__name", "kind", "created_at")
    )


def batches_for(user: User, organisation: Organisation) -> QuerySet[Batch]:
    return Batch.objects.visible_to(user).filter(organisation=organisation)


def people_for(user: User, organisation: Organisation) -> QuerySet[Person]:
    return (
        Person.objects.visible_to(user)
        .filter(organisation=organisation)
        .prefetch_related("names")
        .order_by("created_at")
    )


class LetterForm(forms.ModelForm):
    """A letter sent or received. On a new letter, ``reply_to`` is the letter it answers."""

    reply_to = forms.UUIDField(widget=forms.HiddenInput, required=False)
    authority = ByCode(Authority.objects.none(), label=_("Authority"))
    official = OfficialChoice(Official.objects.none(), label=_("Official"), required=False)
    applications = ApplicationChoices(Application.objects.none(), label=_("Applications"))
    batches = ManyByCode(Batch.objects.none(), label=_("Batches"))
    people = PeopleChoices(
        Person.objects.none(),
        label=_("People"),
        help_text=_("The people the letter is about (hold Ctrl to pick several)."),
    )

    class Meta:
        model = Letter
        fields = ["direction", "dated_on", "authority", "official", "sender", "subject", "text"]
        widgets = {
            "direction": forms.RadioSelect,
            "dated_on": date_input(),
            "sender": forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
            "subject": forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
            "text": forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "dir": "auto"}),
        }

    field_order = [
        "reply_to",
        "direction",
        "dated_on",
        "authority",
        "official",
        "sender",
        "subject",
        "text",
        "applications",
        "batches",
        "people",
    ]

    def __init__(self, *args: Any, user: User, replying: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.instance.organisation
        self.user = user
        self.fields["direction"].choices = Direction.choices  # type: ignore[attr-defined]
        self.fields["authority"].queryset = Authority.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        self.fields["official"].queryset = officials_of(organisation)  # type: ignore[attr-defined]
        self.fields["applications"].queryset = applications_for(user, organisation)  # type: ignore[attr-defined]
        self.fields["batches"].queryset = batches_for(user, organisation)  # type: ignore[attr-defined]
        self.fields["people"].queryset = people_for(user, organisation)  # type: ignore[attr-defined]
        if not replying:
            del self.fields["reply_to"]
        if self.instance.pk is not None:
            for name in ("applications", "batches", "people"):
                self.initial.setdefault(name, [o.code for o in getattr(self.instance, name).all()])

    def clean_reply_to(self) -> Letter | None:
        code = self.cleaned_data.get("reply_to")
        if not code:
            return None
        # Theirs and missing look alike: the same sentence either way.
        parent = (
            Letter.objects.visible_to(self.user)
            .filter(organisation=self.instance.organisation, code=code)
            .first()
        )
        if parent is None:
            raise forms.ValidationError(NOT_OURS)
        self.instance.reply_to = parent
        return parent

    def save_links(self) -> None:
        """Set the links the user may see; links to records hidden from them stay."""
        letter = self.instance
        for name in ("applications", "batches", "people"):
            shown = self.fields[name].queryset  # type: ignore[attr-defined]
            manager = getattr(letter, name)
            hidden = list(manager.exclude(pk__in=shown.values("pk")))
            manager.set(hidden + list(self.cleaned_data[name]))


class LetterFilterForm(forms.Form):
    authority = ByCode(Authority.objects.none(), label=_("Authority"), required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("Both")), *Direction.choices], required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = Authority.objects.visible_to(user)  # type: ignore[attr-defined]


class PromiseFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *PromiseState.choices], required=False
    )


class DueMixin(forms.ModelForm):
    """``due_on`` as typed, turned into the last day it can be kept ("in December")."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        due, precision = data.get("due_on"), data.get("due_precision")
        if due and precision:
            data["due_on"] = resolve_due(due, precision)
        return data


PROMISE_WIDGETS = {
    "made_on": date_input(),
    "meeting_on": date_input(),
    "due_on": date_input(),
    "quote": forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "dir": "auto"}),
}
DUE_HELP = _(
    "For “in December”, pick any day of December and choose “In that month”: "
    "the promise is kept until 31 December."
)


class PromiseForm(DueMixin):
    """A promise made in a letter: the authority and the letter come from the letter."""

    official = OfficialChoice(Official.objects.none(), label=_("Who promised"), required=False)
    applications = ApplicationChoices(Application.objects.none(), label=_("Applications"))
    batches = ManyByCode(Batch.objects.none(), label=_("Batches"))

    class Meta:
        model = Promise
        fields = ["quote", "made_on", "due_on", "due_precision", "official"]
        widgets = PROMISE_WIDGETS
        help_texts = {"due_on": DUE_HELP}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.instance.organisation
        officials = officials_of(organisation)
        if self.instance.authority_id is not None:
            officials = officials.filter(authority_id=self.instance.authority_id)
        self.fields["official"].queryset = officials  # type: ignore[attr-defined]
        self.fields["applications"].queryset = applications_for(user, organisation)  # type: ignore[attr-defined]
        self.fields["batches"].queryset = batches_for(user, organisation)  # type: ignore[attr-defined]

    def save_links(self) -> None:
        self.instance.applications.set(self.cleaned_data["applications"])
        self.instance.batches.set(self.cleaned_data["batches"])


class MeetingPromiseForm(PromiseForm):
    """A promise said at a meeting: which authority, who, and when the meeting was."""

    authority = ByCode(Authority.objects.none(), label=_("Authority"))

    class Meta:
        model = Promise
        fields = [
            "meeting_on",
            "authority",
            "official",
            "quote",
            "made_on",
            "due_on",
            "due_precision",
        ]
        widgets = PROMISE_WIDGETS
        help_texts = {
            "due_on": DUE_HELP,
            "made_on": _("Leave empty if it is the day of the meeting."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        organisation = self.instance.organisation
        self.fields["meeting_on"].required = True
        self.fields["made_on"].required = False
        self.fields["authority"].queryset = Authority.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        self.fields["official"].queryset = officials_of(organisation)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if not data.get("made_on") and data.get("meeting_on"):
            data["made_on"] = data["meeting_on"]
        meeting = data.get("meeting_on")
        if meeting and meeting > timezone.localdate():
            self.add_error("meeting_on", _("A meeting cannot be in the future."))
        return data


class SlipForm(forms.Form):
    """A new date for the same promise; the old one is kept."""

    due_on = forms.DateField(label=_("New date"), widget=date_input(), help_text=DUE_HELP)
    due_precision = forms.ChoiceField(
        label=_("How exact is the date"), choices=DuePrecision.choices
    )
    letter = ByCode(
        Letter.objects.none(),
        label=_("Given in the letter"),
        required=False,
        help_text=_("Leave empty if it was said at a meeting or on the phone."),
    )
    given_on = forms.DateField(
        label=_("Given on"),
        widget=date_input(),
        required=False,
        help_text=_("Leave empty for the letter's date, or today."),
    )
    quote = forms.CharField(
        label=_("Their words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "dir": "auto"}),
    )

    def __init__(self, *args: Any, promise: Promise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        letters = Letter.objects.filter(
            organisation_id=promise.organisation_id, dated_on__gte=promise.made_on
        ).select_related("authority")
        self.fields["letter"].queryset = letters  # type: ignore[attr-defined]
        self.fields["letter"].label_from_instance = (  # type: ignore[attr-defined]
            lambda letter: f"{letter.dated_on:%Y-%m-%d} · {letter.authority} · {letter.subject}"
        )


class KeepForm(forms.Form):
    kept_on = forms.DateField(label=_("Kept on"), widget=date_input())

    def clean_kept_on(self) -> date:
        kept_on: date = self.cleaned_data["kept_on"]
        if kept_on > timezone.localdate():
            raise forms.ValidationError(_("It cannot be kept in the future."))
        return kept_on


class TimelineForm(forms.Form):
    names = forms.BooleanField(
        label=_("Include the names of the people the letters are about"), required=False
    )
