"""Field types for dangerous data: phones, notes and addresses.

Every phone, note and address in Qandas is stored through one of these, so that
encryption at rest (and a keyed index for looking phones up) can be added here,
in one place, without touching the models, forms and API that use them.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "PK"


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """``raw`` in E.164 (``+923001234567``), or ValidationError with a useful message."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number. Write it like +92 300 1234567."),
            code="invalid_phone",
            params={"value": text[:40]},
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number. Check the digits and the country code."),
            code="invalid_phone",
            params={"value": text[:40]},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """``+923001234534`` as ``+92 3** *** **34``: enough to tell numbers apart, no more."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "•••"
    national = str(number.national_number)
    if len(national) < 4:
        return f"+{number.country_code} {'*' * len(national)}"
    hidden = national[0] + "*" * (len(national) - 3) + national[-2:]
    groups = [hidden[:3], hidden[3:6], hidden[6:]]
    return f"+{number.country_code} " + " ".join(g for g in groups if g)


def mask_text(value: str) -> str:
    """An address or note as the roles who may not read it see it."""
    return "•••" if value else ""


class PhoneNumbersFormField(forms.CharField):
    """One phone number per line (or separated by commas); each is checked."""

    widget = forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "dir": "ltr"})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            items = [str(v) for v in value]
        else:
            text = super().to_python(value) or ""
            items = text.replace(",", "\n").splitlines()
        return [item.strip() for item in items if item.strip()]

    def clean(self, value: Any) -> list[str]:
        numbers = self.to_python(value)
        if self.required and not numbers:
            raise ValidationError(self.error_messages["required"], code="required")
        cleaned, errors = [], []
        for item in numbers:
            try:
                e164 = normalise_phone(item)
            except ValidationError as exc:
                errors.append(exc)
                continue
            if e164 not in cleaned:
                cleaned.append(e164)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def has_changed(self, initial: Any, data: Any) -> bool:
        """Changed only when the numbers differ, not how they were typed."""
        try:
            return self.clean(data) != list(initial or [])
        except ValidationError:
            return True

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return str(value or "")


class PhoneNumbersField(models.JSONField):
    """A list of phone numbers in E.164. Validated on the way in, always a list."""

    description = "phone numbers (E.164)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("Phone numbers must be a list."), code="invalid")
        for item in value:
            if normalise_phone(str(item)) != item:
                raise ValidationError(_("Phone numbers must be stored in E.164."), code="invalid")

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return PhoneNumbersFormField(
            required=not self.blank, label=self.verbose_name, help_text=self.help_text
        )


class SensitiveTextField(models.TextField):
    """Free text that may identify someone or where they live (notes, addresses)."""

    description = "sensitive text"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}))
        return super().formfield(**kwargs)
