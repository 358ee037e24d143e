"""Forms of list matching: the upload, and a row's confirmation. Fields listed explicitly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import City, Membership, Role, User
from qandas.incidents.models import Place
from qandas.incidents.models.places import CUSTODY_WRITERS
from qandas.lib.files import CleanFile
from qandas.lib.scripts import has_letter
from qandas.people.forms import NO_LETTER

from .lists import (
    FIRST_LIST_YEAR,
    PLACE_KINDS,
    clean_list_file,
    visible_uploads,
    wrong_place,
)
from .models import ListKind, ListUpload, RowState
from .tables import Table, TableError

LATEST_AHEAD = 366  # days: a court list dated further ahead is a typing error
ACCEPTED = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENCODINGS = [
    ("", _("Find out (UTF-8 or a common legacy encoding)")),
    ("utf-8", "UTF-8"),
    ("cp1256", _("Windows Arabic (cp1256)")),
    ("cp1251", _("Windows Cyrillic (cp1251)")),
    ("kz1048", _("Windows Kazakh (kz1048)")),
    ("mac_cyrillic", _("Mac Cyrillic")),
    ("koi8_r", "KOI8-R"),
    ("cp866", _("DOS Cyrillic (cp866)")),
    ("iso8859_6", _("ISO Arabic (8859-6)")),
    ("cp1252", _("Windows Western (cp1252)")),
    ("utf_16", "UTF-16"),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlaceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class ListFactsForm(forms.Form):
    """What a list is: its kind, title, date, place and city (``ListUploadForm`` with its
    file; alone, to correct them while none of its rows is decided)."""

    kind = forms.ChoiceField(label=_("Kind of list"), choices=ListKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    listed_on = forms.DateField(label=_("Date of the list"), widget=DateInput())
    place = PlaceChoice(
        label=_("Place the list is from"),
        queryset=Place.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("The police station, court or border crossing the list names."),
    )
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.none(), required=False, to_field_name="slug"
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        membership: Membership,
        upload: ListUpload | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"listed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.user = user
        self.upload = upload  # being corrected
        places = Place.objects.visible_to(user).filter(organisation_id=membership.organisation_id)
        self.fields["place"].queryset = places.select_related("city")  # type: ignore[attr-defined]
        cities = City.objects.all() if membership.role == Role.ADMIN else membership.cities.all()
        if upload is not None and upload.city_id:
            # Its city kept when the one correcting it does not cover it (an admin moved
            # an uploader's list): blank, the form moved it back to the uploader's city.
            cities = City.objects.filter(Q(pk__in=cities.values("pk")) | Q(pk=upload.city_id))
        self.fields["city"].queryset = cities  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, listed_on = data.get("kind"), data.get("listed_on")
        if listed_on and kind != ListKind.COURT and listed_on > timezone.localdate():
            self.add_error("listed_on", _("Only a court list may be dated in the future."))
        if listed_on and listed_on > timezone.localdate() + timedelta(days=LATEST_AHEAD):
            self.add_error(
                "listed_on",
                _("A list dated more than a year ahead must be a typing error: check the year."),
            )
        if listed_on and listed_on.year < FIRST_LIST_YEAR:
            self.add_error(
                "listed_on",
                _("A list dated before %(year)s must be a typing error: check the year.")
                % {"year": FIRST_LIST_YEAR},
            )
        place = data.get("place")
        if kind in PLACE_KINDS and place is not None and place.kind not in PLACE_KINDS[kind]:
            self.add_error("place", wrong_place(ListKind(kind)))
        if not data.get("city"):
            data["city"] = self._default_city(data.get("place"))
            if data["city"] is None and "city" not in self.errors:
                self.add_error(
                    "city",
                    _(
                        "Choose the city whose coordinators and lawyers review this list: "
                        "its place has none. Without a city, only administrators would see it."
                    )
                    if place is not None
                    else _(
                        "Choose the city whose coordinators and lawyers review this list. "
                        "Without a city, only administrators would see it."
                    ),
                )
        if self.upload is not None and data.get("city") and data["city"] != self.upload.city:
            self._refuse_a_city_not_matched(data["city"])
        return data

    def _refuse_a_city_not_matched(self, city: City) -> None:
        """The rows were matched among the people the uploader may record custody events
        for: a city none of them is in would show its coordinators no candidate at all."""
        assert self.upload is not None
        if self.upload.uploaded_by_id is None:
            return
        uploader = Membership.objects.filter(
            user_id=self.upload.uploaded_by_id,
            organisation_id=self.upload.organisation_id,
            role__in=CUSTODY_WRITERS,
        )
        if uploader.filter(Q(role=Role.ADMIN) | Q(cities=city)).exists():
            return
        self.add_error(
            "city",
            _(
                "The rows were matched among the people of the uploader's cities, none of "
                "them in %(city)s: upload the list again for it."
            )
            % {"city": city.name},
        )

    def _default_city(self, place: Place | None) -> City | None:
        """The place's city, or the uploader's only city, so the city's team sees it."""
        cities = self.fields["city"].queryset  # type: ignore[attr-defined]
        if place is not None and place.city_id and cities.filter(pk=place.city_id).exists():
            return place.city
        if self.membership.role != Role.ADMIN and cities.count() == 1:
            return cities.get()
        return None


class ListUploadForm(ListFactsForm):
    """A list and what it is: the file is read in full here, before anything is saved."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or XLSX with a “name” column; other columns (birth_year, father_name, "
            "document_number, …) help matching. Up to 5,000 rows."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPTED}),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"), choices=ENCODINGS, required=False
    )
    again = forms.BooleanField(
        label=_("Upload it again: this file was uploaded before"),
        required=False,
        widget=forms.HiddenInput,  # a checkbox once the file is found uploaded before
        help_text=_(
            "Confirming its rows again records their events again, on the new list's "
            "date and place."
        ),
    )

    def __init__(self, *args: Any, user: User, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, user=user, membership=membership, **kwargs)
        self.table: Table | None = None
        self.checked_file: CleanFile | None = None
        if self.fields["again"].to_python(self.data.get("again")):
            # Ticked before another error: still a box to untick, not a hidden yes.
            self.fields["again"].widget = forms.CheckboxInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        uploaded = data.get("file")
        if uploaded is not None:
            try:
                self.checked_file, self.table = clean_list_file(
                    uploaded, encoding=data.get("encoding") or None
                )
            except TableError as exc:
                self.add_error("file", str(exc))
        if self.checked_file is not None and not data.get("again"):
            self._refuse_a_second_copy(self.checked_file.sha256)
        return data

    def _refuse_a_second_copy(self, sha256: str) -> None:
        """The same file uploaded before (one the uploader may see): confirming its rows
        again recorded every event a second time."""
        before = (
            visible_uploads(self.user)
            .filter(organisation_id=self.membership.organisation_id, sha256=sha256)
            .order_by("-uploaded_at")
            .first()
        )
        if before is None:
            return
        self.fields["again"].widget = forms.CheckboxInput()
        self.add_error(
            "file",
            _(
                "This file was uploaded before, as “%(title)s” of %(date)s. To upload it "
                "again anyway, tick the box below."
            )
            % {"title": before.title or before.display_name, "date": before.listed_on.isoformat()},
        )


class RowFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("All rows")), *RowState.choices],
        required=False,
    )
    # A long list's rows that anyone matched, without paging through the others (a name
    # is asked by ``ListFindForm``, POSTed: in this form it would be in the address).
    candidates = forms.BooleanField(label=_("Only rows with candidates"), required=False)


class ListFindForm(forms.Form):
    """A name looked for among a list's rows, in any script (POSTed: a name in the
    address would stay in the browser's history, R13)."""

    find = forms.CharField(
        label=_("Find a name on this list"),
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto", "type": "search"}),
    )

    def clean_find(self) -> str:
        query: str = self.cleaned_data["find"]
        if not has_letter(query):
            raise forms.ValidationError(NO_LETTER, code="no_letter")
        return query


class RowSearchForm(forms.Form):
    """A reviewer's own search for the person on a row: a name, ranked with the row's facts."""

    q = forms.CharField(label=_("Search the registry"), max_length=200, strip=True)

    def clean_q(self) -> str:
        query: str = self.cleaned_data["q"]
        if not has_letter(query):
            raise forms.ValidationError(NO_LETTER, code="no_letter")
        return query
