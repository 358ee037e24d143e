"""Forms for authorities, officials, applications, moves and batches."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qandas.applications.models import (
    Application,
    ApplicationKind,
    Authority,
    Batch,
    Official,
    Status,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", "dir": "auto", **attrs})


def notes_area() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "dir": "auto"})


class CodeChoice(forms.ModelChoiceField):
    """A choice posted by the object's UUID code, never its integer id."""

    def __init__(self, queryset: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(queryset, to_field_name="code", **kwargs)


class AuthorityForm(forms.ModelForm):
    class Meta:
        model = Authority
        fields = ["kind", "name", "country"]
        widgets = {"name": text(), "country": text()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = cleaned.get("name")
        same = Authority.objects.filter(
            organisation_id=self.instance.organisation_id, name__iexact=name or ""
        ).exclude(pk=self.instance.pk)
        if name and same.exists():
            self.add_error("name", _("Your organisation already has an authority of this name."))
        return cleaned


class OfficialForm(forms.ModelForm):
    """A new holder of a post; naming whom they replace closes that tenure."""

    replaces = CodeChoice(
        Official.objects.none(),
        label=_("Replaces"),
        required=False,
        help_text=_("The official who held this post until now: their time in office ends."),
    )

    class Meta:
        model = Official
        fields = ["name", "post", "from_on", "until_on"]
        widgets = {"name": text(), "post": text(), "from_on": DATE, "until_on": DATE}

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = authority.officials.filter(  # type: ignore[attr-defined]
            until_on__isnull=True
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        from_on, until_on = cleaned.get("from_on"), cleaned.get("until_on")
        if from_on and until_on and until_on < from_on:
            self.add_error("until_on", _("The time in office cannot end before it begins."))
        replaced: Official | None = cleaned.get("replaces")
        if replaced is not None:
            if from_on is None:
                self.add_error("from_on", _("Say from when the new official holds the post."))
            elif replaced.from_on and replaced.from_on > from_on:
                self.add_error(
                    "from_on", _("The new official cannot start before the one they replace.")
                )
        return cleaned


class ApplicationForm(forms.ModelForm):
    """The facts of an application; its status moves only through the move form."""

    authority = CodeChoice(Authority.objects.none(), label=_("Authority"))
    batch = CodeChoice(Batch.objects.none(), label=_("Batch"), required=False)

    class Meta:
        model = Application
        fields = [
            "kind",
            "authority",
            "reference",
            "submitted_on",
            "expected_decision_on",
            "batch",
            "notes",
        ]
        widgets = {
            "reference": text(),
            "submitted_on": DATE,
            "expected_decision_on": DATE,
            "notes": notes_area(),
        }

    def __init__(
        self,
        *args: Any,
        authorities: QuerySet[Authority],
        batches: QuerySet[Batch],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]
        self.fields["batch"].queryset = batches  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        submitted, expected = cleaned.get("submitted_on"), cleaned.get("expected_decision_on")
        if submitted and expected and expected < submitted:
            self.add_error(
                "expected_decision_on", _("The decision cannot be expected before submission.")
            )
        return cleaned


class ApplicationEditForm(ApplicationForm):
    class Meta(ApplicationForm.Meta):
        fields = [*ApplicationForm.Meta.fields[:5], "decided_on", "batch", "notes"]
        widgets = {**ApplicationForm.Meta.widgets, "decided_on": DATE}


class MoveForm(forms.Form):
    """A move along the pipeline; ``expected`` is the status the page showed."""

    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=text())
    expected = forms.ChoiceField(choices=Status.choices, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected": application.status})
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Offer only the moves the pipeline allows from here.
            labels = dict(Status.choices)
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (s, labels[s]) for s in application.allowed_moves()
            ]


class BatchForm(forms.ModelForm):
    authority = CodeChoice(Authority.objects.none(), label=_("Authority"), required=False)

    class Meta:
        model = Batch
        fields = ["name", "authority", "sent_on", "notes"]
        widgets = {"name": text(), "sent_on": DATE, "notes": notes_area()}

    def __init__(self, *args: Any, authorities: QuerySet[Authority], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]


class BatchMoveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Move every application that can to"),
        choices=[(s, label) for s, label in Status.choices if s != Status.DRAFT],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=text())


class ApplicationLabel(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return application_label(obj)


def application_label(application: Application) -> str:
    """Whose application it is and what for: the person's name or the household."""
    whom = application.person.primary_name if application.person else str(application.household)
    return f"{whom}: {application.get_kind_display()} ({application.get_status_display()})"


class BatchAddForm(forms.Form):
    applications = ApplicationLabel(
        Application.objects.none(), to_field_name="code", label=_("Applications to add")
    )

    def __init__(self, *args: Any, candidates: QuerySet[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = candidates  # type: ignore[attr-defined]


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *ApplicationKind.choices], required=False
    )
    authority = CodeChoice(
        Authority.objects.none(), label=_("Authority"), required=False, empty_label=_("Any")
    )
    batch = CodeChoice(Batch.objects.none(), label=_("Batch"), required=False, empty_label=_("Any"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(
        self,
        *args: Any,
        authorities: QuerySet[Authority],
        batches: QuerySet[Batch],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]
        self.fields["batch"].queryset = batches  # type: ignore[attr-defined]
