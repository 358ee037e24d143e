"""Forms of the duplicate review: which record survives a merge, and a not-same note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qandas.people.models import Person


class MergeForm(forms.Form):
    """The record to keep; the other one's names, documents and events move to it."""

    survivor = forms.ChoiceField(label=_("Keep this record"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, pair: tuple[Person, Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.fields["survivor"].choices = [  # type: ignore[attr-defined]
            (str(person.code), person.primary_name) for person in pair
        ]

    def clean_survivor(self) -> Person:
        code = self.cleaned_data["survivor"]
        return next(person for person in self.pair if str(person.code) == code)

    @property
    def merged(self) -> Person:
        survivor = self.cleaned_data["survivor"]
        return self.pair[1] if survivor.pk == self.pair[0].pk else self.pair[0]


class NotSameForm(forms.Form):
    note = forms.CharField(
        label=_("Why they are two people (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
