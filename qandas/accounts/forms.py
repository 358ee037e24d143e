"""Forms of the accounts app. Every form lists its fields explicitly."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from qandas.accounts.models import City, Membership, Organisation

# One message for an unknown user, a wrong password and a locked account, so that
# nobody can learn from the login page which accounts exist or are under attack.
SIGN_IN_REFUSED = _(
    "We could not sign you in with these details. Check them and try again; "
    "after several failed attempts, wait 15 minutes."
)


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": SIGN_IN_REFUSED,
        "inactive": SIGN_IN_REFUSED,
    }

    @classmethod
    def refused(cls, request: Any, username: str) -> "SignInForm":
        """An unbound form showing the wrong-password error, for locked accounts.

        Unbound, so that rendering it never runs authentication again.
        """
        form = cls(request, initial={"username": username})
        form._errors = ErrorDict(  # type: ignore[attr-defined]
            {NON_FIELD_ERRORS: form.error_class([str(SIGN_IN_REFUSED)], error_class="nonfield")}
        )
        return form


class TokenForm(forms.Form):
    """A six-digit code from an authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in your authenticator app."))
        return token


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "require_two_factor"]


class MembershipForm(forms.ModelForm):
    cities = forms.ModelMultipleChoiceField(
        queryset=City.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Cities"),
    )

    class Meta:
        model = Membership
        fields = ["role", "cities", "is_active"]


class NewApiTokenForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), label=_("For"))
    label = forms.CharField(label=_("Label"), max_length=100, required=False)

    def __init__(self, *args: Any, memberships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships  # type: ignore[attr-defined]
        if memberships.count() == 1:
            self.fields["membership"].initial = memberships.first()
