"""Forms for people and households: every field listed, every choice scoped to the user."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qandas.accounts.models import City, Organisation, Role, User
from qandas.lib.fields import PhoneNumbersFormField
from qandas.lib.files import CleanFile, clean_upload
from qandas.lib.numbers import FIRST_YEAR, birth_year, number_key
from qandas.lib.scripts import has_letter, visible
from qandas.people.models import Household, NameSource, Person, Relationship

HOUSEHOLD_ANY, HOUSEHOLD_HAS, HOUSEHOLD_NONE = "", "has", "none"


def editor_memberships(user: User) -> list[Any]:
    """The memberships through which ``user`` may register people and households."""
    return list(
        user.scope()
        .filter(role__in=[Role.COORDINATOR, Role.ADMIN])
        .select_related("organisation")
        .prefetch_related("cities")
    )


def cities_for(user: User, organisation: Organisation | None = None) -> QuerySet[City]:
    """Cities the user may put a record in: a coordinator's own, every city for an admin."""
    pks: set[int] = set()
    for membership in editor_memberships(user):
        if organisation is not None and membership.organisation_id != organisation.pk:
            continue
        if membership.role == Role.ADMIN:
            return City.objects.all()
        pks |= {city.pk for city in membership.cities.all()}
    return City.objects.filter(pk__in=pks)


def organisation_for(user: User, city: City) -> Organisation | None:
    """The organisation a new record in ``city`` belongs to (the first membership covering it)."""
    for membership in editor_memberships(user):
        if membership.role == Role.ADMIN or city in membership.cities.all():
            return membership.organisation
    return None


def names_of(person: Person) -> list[dict[str, Any]]:
    """A person's names as the form and the API take them (to tell a change)."""
    return [
        {"text": n.text, "source": n.source, "primary": n.is_primary} for n in person.names.all()
    ]


# Besides the names, what a change of asks the duplicate guard again on an edit: a birth
# year or a father's name decides whether the same name is asked about, sex whether a
# candidate is shown (``matching.duplicates``; found by exploratory testing, 12: a
# namesake moved from 2000 to 1991, next to the same name born 1992, was not asked).
GUARDED_FACTS = ("birth_date", "father_name", "sex")
NO_LETTER = _("A name needs at least one letter, in any script.")
# A relationship is to the head of a household: none is given without one.
NO_HOUSEHOLD = _("Choose a household first.")
NEED_NAME = _(
    "To search, type a name or a document number: the father's name and the birth year "
    "only put the people found in order."
)
NO_NUMBER = _("A document number needs letters or digits.")
PHONES_HELP = _("One number per line, with the country code: +92 300 1234567.")


def no_such_birth_year() -> str:
    """Why a search's birth year is refused: the rule imports and lists use
    (``qandas.lib.numbers.birth_year``), so a search never ranks by a year no row holds."""
    return _("A birth year is from %(first)d to %(last)d.") % {
        "first": FIRST_YEAR,
        "last": timezone.localdate().year,
    }


def checked_father(text: str) -> str:
    """A father's name, when given, is a name: it holds a letter, as imports require (the
    search's and the person form's). Its invisible characters are dropped, as a name's are."""
    text = visible(text)
    if text.strip() and not has_letter(text):
        raise forms.ValidationError(NO_LETTER, code="no_letter")
    return text


def searchable(query: str) -> bool:
    """Whether a search's ``q`` can find anyone: blank (no search), or holding a letter (a
    name) or a digit (a document number, ``search.find``). ``😀`` or ``?`` alone finds
    nobody, and is told why."""
    return not query.strip() or has_letter(query) or any(c.isdigit() for c in query)


class PersonFilterForm(forms.Form):
    """The people list's search box and filters (GET)."""

    q = forms.CharField(label=_("Name (any script)"), max_length=200, required=False)
    city = forms.ModelChoiceField(
        label=_("City"),
        queryset=City.objects.all(),
        required=False,
        empty_label=_("Any"),
        help_text=_("With a name: its people come first. Without one: only its people."),
    )
    household = forms.CharField(
        label=_("Household"),
        required=False,
        widget=forms.Select(
            choices=[
                (HOUSEHOLD_ANY, _("Any")),
                (HOUSEHOLD_HAS, _("In a household")),
                (HOUSEHOLD_NONE, _("In no household")),
            ]
        ),
    )
    document = forms.ChoiceField(label=_("Has a document that is"), required=False)
    # Facts that rank the people a name finds (not filters: a wrong year only ranks lower).
    birth_year = forms.IntegerField(label=_("Born in (year)"), required=False)
    father_name = forms.CharField(label=_("Father's name"), max_length=200, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The documents app sits above this one: name its model, never import it.
        status = apps.get_model("documents", "Document")._meta.get_field("status")
        self.fields["document"].choices = [("", _("Any")), *status.choices]  # type: ignore[attr-defined]
        # The range is checked by clean_birth_year alone, not by the browser too: the
        # browser's check stopped the search with a bubble, and left the last search's
        # results on the page as if they answered this one.
        code = self.data.get("household", "") if self.is_bound else ""
        if code not in (HOUSEHOLD_ANY, HOUSEHOLD_HAS, HOUSEHOLD_NONE):
            widget = self.fields["household"].widget
            widget.choices = [*widget.choices, (code, _("This household"))]

    def clean_birth_year(self) -> int | None:
        year: int | None = self.cleaned_data["birth_year"]
        if year is not None and birth_year(str(year)) is None:
            raise forms.ValidationError(no_such_birth_year(), code="birth_year")
        return year

    def clean_father_name(self) -> str:
        """Refused without a letter (``😀`` was ignored silently): ``checked_father``."""
        return checked_father(self.cleaned_data.get("father_name") or "")

    def clean_q(self) -> str:
        query: str = self.cleaned_data["q"]
        if not searchable(query):
            raise forms.ValidationError(NO_LETTER, code="no_letter")
        return query

    def clean_document_number(self) -> str:
        number: str = self.cleaned_data["document_number"]
        if number and not number_key(number):
            raise forms.ValidationError(NO_NUMBER, code="no_number")
        return number

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hints = cleaned.get("birth_year") or cleaned.get("father_name")
        if hints and not (cleaned.get("q") or cleaned.get("document_number")):
            raise forms.ValidationError(NEED_NAME, code="no_name")
        return cleaned

    def clean_household(self) -> str | uuid.UUID:
        value: str = self.cleaned_data["household"]
        if value in (HOUSEHOLD_ANY, HOUSEHOLD_HAS, HOUSEHOLD_NONE):
            return value
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Unknown household."), code="invalid") from exc


class NameForm(forms.Form):
    """One row of the names: how the name is written, where it comes from, primary or not."""

    text = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    source = forms.ChoiceField(label=_("Source"), choices=NameSource.choices, required=False)
    primary = forms.BooleanField(label=_("Primary name"), required=False)

    def clean_text(self) -> str:
        text = visible(self.cleaned_data["text"])
        if text and not text.strip():
            raise forms.ValidationError(
                _("A name cannot be only spaces. Type the name or leave the row empty."),
                code="blank",
            )
        if text and not has_letter(text):
            raise forms.ValidationError(NO_LETTER, code="no_letter")
        return text.strip()


def names_problem(names: list[tuple[str, bool]]) -> str | None:
    """What is wrong with a person's names (text, primary) as a whole, the web form's
    and the API's alike: two primary names, or one name written twice (as a reader sees
    it, ``repoint.same_name``); None when nothing is."""
    from qandas.people.repoint import same_name

    if sum(1 for _text, primary in names if primary) > 1:
        return str(_("Mark only one name as primary."))
    seen: set[str] = set()
    for text, _primary in names:
        key = same_name(text)
        if key in seen:
            return str(_("The name “%(name)s” is written twice.") % {"name": text})
        seen.add(key)
    return None


class BaseNameFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        names = self.names()
        if not names:
            raise forms.ValidationError(_("Type at least one name, in any script."), code="no_name")
        problem = names_problem([(n["text"], n["primary"]) for n in names])
        if problem:
            raise forms.ValidationError(problem, code="names")

    def names(self) -> list[dict[str, Any]]:
        """The filled rows, as ``Person.set_names`` takes them."""
        return [
            {
                "text": form.cleaned_data["text"],
                "source": form.cleaned_data.get("source") or NameSource.OTHER,
                "primary": bool(form.cleaned_data.get("primary")),
            }
            for form in self.forms
            if form.cleaned_data.get("text")
        ]


def name_formset(extra: int) -> type[BaseNameFormSet]:
    return forms.formset_factory(  # type: ignore[return-value]
        NameForm,
        formset=BaseNameFormSet,
        extra=extra,
        max_num=20,
        validate_max=True,
        absolute_max=40,
    )


class PersonForm(forms.ModelForm):
    """Who the person is, apart from their names (a formset of its own)."""

    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    phones = PhoneNumbersFormField(label=_("Phone numbers"), required=False, help_text=PHONES_HELP)

    class Meta:
        model = Person
        fields = [
            "sex",
            "birth_date",
            "birth_date_precision",
            "father_name",
            "clan",
            "place_of_origin",
            "phones",
            "languages",
            "notes",
            "current_city",
            "household",
            "relationship",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "birth_date": _("If only the year is known, pick 1 January and precision “Year”."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        organisation = self.instance.organisation if self.instance.pk else None
        if organisation is not None:
            del self.fields["idempotency_key"]  # only a new person can be posted twice
        self.fields["current_city"].queryset = cities_for(user, organisation)  # type: ignore[attr-defined]
        households = Household.objects.editable_by(user).select_related("city")
        if organisation is not None:
            households = households.filter(organisation=organisation)
        if self.instance.household_id:
            households = households | Household.objects.filter(pk=self.instance.household_id)
        self.fields["household"].queryset = with_members(households, user)  # type: ignore[attr-defined]
        self.fields["household"].label_from_instance = household_label  # type: ignore[attr-defined]
        self.fields["household"].to_field_name = "code"  # type: ignore[attr-defined]
        if self.instance.household_id and "household" not in kwargs.get("initial", {}):
            # The initial values, taken from the instance before the choices were keyed
            # by code, hold the household's id: no choice would be selected, an
            # unchanged form would post none, and the household would count as changed.
            self.initial["household"] = self.instance.household.code

    def clean_birth_date(self) -> Any:
        born = self.cleaned_data.get("birth_date")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError(
                _("The birth date is in the future. Check the year."), code="future"
            )
        return born

    def clean_father_name(self) -> str:
        return checked_father(self.cleaned_data.get("father_name") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        household, city = cleaned.get("household"), cleaned.get("current_city")
        if cleaned.get("relationship") and not household:
            if "relationship" in self.changed_data:
                # Chosen now, without a household: one was forgotten, so ask for it.
                self.add_error("relationship", NO_HOUSEHOLD)
            else:
                # Left over from the household just removed: it means nothing without one,
                # so it goes with it, and the audit names it as changed.
                cleaned["relationship"] = ""
                self.changed_data.append("relationship")
        if household is not None and city is not None:
            organisation = self.instance.organisation if self.instance.pk else None
            organisation = organisation or organisation_for(self.user, city)
            if household.organisation_id != getattr(organisation, "pk", None):
                self.add_error("household", _("That household belongs to another organisation."))
        return cleaned


def household_label(household: Household) -> str:
    """How a household is told apart in a choice list, without its address: its city,
    area and date, and the member a coordinator knows it by (the head, else the first
    registered), with how many others; households of one area registered on one day
    could not be told apart without. Members come from ``with_members``."""
    place = _("%(city)s, %(area)s (since %(date)s)") % {
        "city": household.city,
        "area": household.area or _("no area"),
        "date": household.created_at.strftime("%Y-%m-%d"),
    }
    members: list[Person] = getattr(household, "shown_members", [])
    if not members:
        return str(_("%(place)s: no members") % {"place": place})
    first = min(members, key=lambda m: (m.relationship != Relationship.HEAD, m.created_at))
    others = len(members) - 1
    if not others:
        return str(_("%(place)s: %(name)s") % {"place": place, "name": first.primary_name})
    return str(
        ngettext(
            "%(place)s: %(name)s and %(count)d other",
            "%(place)s: %(name)s and %(count)d others",
            others,
        )
        % {"place": place, "name": first.primary_name, "count": others}
    )


def with_members(households: QuerySet[Household], user: User) -> QuerySet[Household]:
    """Households with the members ``user`` may see (``shown_members``), for their labels."""
    members = Person.objects.visible_to(user).prefetch_related("names")
    return households.prefetch_related(Prefetch("members", members, to_attr="shown_members"))


class HouseholdForm(forms.ModelForm):
    phones = PhoneNumbersFormField(label=_("Contact phones"), required=False, help_text=PHONES_HELP)

    class Meta:
        model = Household
        fields = ["city", "area", "address", "phones"]
        help_texts = {
            "address": _("Shown masked; every reveal is recorded."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.instance.organisation if self.instance.pk else None
        self.fields["city"].queryset = cities_for(user, organisation)  # type: ignore[attr-defined]


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG or PNG, up to 15 MB. It is saved again without hidden details."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def clean_photo(self) -> CleanFile:
        clean = clean_upload(self.cleaned_data["photo"])
        if not clean.content_type.startswith("image/"):
            raise forms.ValidationError(_("A photo must be a JPEG or PNG image, not a PDF."))
        return clean
