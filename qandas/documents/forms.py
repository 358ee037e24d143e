"""Forms of the documents app. Every form lists its fields explicitly."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qandas.documents.models import Document
from qandas.lib.files import CleanFile, clean_upload

ACCEPTED_FILES = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DocumentForm(forms.ModelForm):
    """Kind, number, issuer, dates, status. Date rules live in ``Document.clean``."""

    class Meta:
        model = Document
        fields = [
            "kind",
            "number",
            "issuer",
            "issued_on",
            "valid_until",
            "status",
            "respected_at_arrest",
        ]
        widgets = {"issued_on": DateInput(), "valid_until": DateInput()}


class ScanForm(forms.Form):
    """One file, checked and cleaned by ``qandas.lib.files.clean_upload``."""

    file = forms.FileField(
        label=_("Scan or photo"),
        help_text=_("PDF, JPEG or PNG, up to 15 MB."),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
    )

    def clean_file(self) -> CleanFile:
        return clean_upload(self.cleaned_data["file"])
